package io.tally.localruntime;

import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Interleaved jobs for the job tracker, with redeliveries, items before their {@code JobCreated}, reordered retries
 * and failures: the records to send in order, and the outcome each job must end with. One generator for the tracker
 * demo, the benchmark and the fault suite, each choosing its {@link Shape}. Reproducible for a given seed.
 * Known gap: "before the JobCreated" is an order on two topics, so a consumer that reads them by timestamp (as Kafka
 * Streams does) sees it only approximately unless the sender flushes around the {@code JobCreated}.
 */
public final class TrackerWorkload {

    /** One record to send: topic, key (the job id) and value. */
    public record Send(String topic, String key, SpecificRecord value) {

        public boolean isJobCreated() {
            return value instanceof JobCreated;
        }
    }

    /** What one job must end as. */
    public record Expected(String jobId, String sourceRef, JobState state, int expectedCount, int succeeded, int failed,
                           int skipped) {
    }

    /**
     * How the jobs look.
     *
     * @param jobIdPrefix        job ids are this prefix and the job's number
     * @param pipeline           the jobs' pipeline name
     * @param jobs               how many jobs
     * @param items              distinct items per job
     * @param failures           items per job that end FAILED, chosen at random
     * @param skipEvery          every n-th item ends SKIPPED (0: none)
     * @param duplicateShare     redeliveries per job, as a share of its items, each sent after the item's first record
     * @param lateDuplicates     whether the redeliveries are sent after every job's records instead of among them
     * @param reorderEvery       every n-th succeeding item is a retry whose attempt 2 overtakes the failed attempt 1
     *                           (0: none)
     * @param beforeCreatedShare share of each job's records sent before its {@code JobCreated}
     * @param interleavedJobs    jobs in flight at once in the sending order
     * @param itemIds            whether items carry their ordinal besides their id (ADR 0023)
     */
    public record Shape(String jobIdPrefix, String pipeline, int jobs, int items, int failures, int skipEvery,
                        double duplicateShare, boolean lateDuplicates, int reorderEvery, double beforeCreatedShare,
                        int interleavedJobs, ItemIds itemIds) {

        public Shape {
            if (jobs < 1 || items < 1) {
                throw new IllegalArgumentException("a workload needs at least one job of one item");
            }
            if (failures < 0 || failures > items) {
                throw new IllegalArgumentException("failures must be between 0 and items (" + items + ")");
            }
        }

        /** The benchmark's input: 5% redeliveries among the items, 10% before the JobCreated, 4% failures. */
        public static Shape bench(int jobs, int items, ItemIds itemIds) {
            return new Shape("bench-" + itemIds.label() + "-job-", "bench", jobs,
                    items, items / 25, 0, 0.05, false, 0, 0.10, 64, itemIds);
        }

        /**
         * The fault suite's input: every job in flight, skips, reordered retries, a third redelivered at the end;
         * half the jobs send ordinals, so a crash is tested against both places item marks are kept.
         */
        public static Shape faults(String jobIdPrefix, int jobs, int items) {
            return new Shape(jobIdPrefix, "faults", jobs, items, Math.max(1, items / 7), 5, 1.0 / 3, true, 4, 0.25,
                    jobs, ItemIds.BOTH);
        }

        /** The tracker demo's one job. */
        public static Shape demo(String jobId, int items, int failures, int duplicates, int recordsBeforeCreated) {
            return new Shape(jobId, "demo", 1, items, failures, 0, (double) duplicates / items, false, 0,
                    Math.min(1.0, (double) recordsBeforeCreated / (items + duplicates)), 1, ItemIds.KEYED);
        }
    }

    /** How items are identified: by id only, by id and their ordinal 0..n-1, or ordinals in every other job. */
    public enum ItemIds {
        KEYED, ORDINAL, BOTH;

        /** Lower case, for job ids, run names and summary keys. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Shape shape;
    private final List<Send> sends = new ArrayList<>();
    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private int duplicates;
    private int reorderings;

    public TrackerWorkload(Shape shape, long seed) {
        this.shape = shape;
        generate(new Random(seed), Instant.now());
    }

    /** The job id of job number {@code job}; a one-job workload's only job has the prefix as its id. */
    public String jobId(int job) {
        return shape.jobs() == 1 ? shape.jobIdPrefix() : String.format("%s%07d", shape.jobIdPrefix(), job);
    }

    public List<Send> sends() {
        return Collections.unmodifiableList(sends);
    }

    public Collection<Expected> expected() {
        return Collections.unmodifiableCollection(expected.values());
    }

    public int jobs() {
        return shape.jobs();
    }

    /** Redeliveries sent, over all jobs. */
    public int duplicates() {
        return duplicates;
    }

    /** Retries sent with attempt 2 before attempt 1, over all jobs. */
    public int reorderings() {
        return reorderings;
    }

    private void generate(Random random, Instant now) {
        List<List<Send>> perJob = new ArrayList<>(shape.jobs());
        List<Send> late = new ArrayList<>();
        for (int j = 0; j < shape.jobs(); j++) {
            perJob.add(jobSends(j, random, now, late));
        }
        interleave(perJob, random);
        Collections.shuffle(late, random);
        sends.addAll(late);
    }

    private List<Send> jobSends(int job, Random random, Instant now, List<Send> late) {
        String jobId = jobId(job);
        boolean ordinals = shape.itemIds() == ItemIds.ORDINAL || (shape.itemIds() == ItemIds.BOTH && job % 2 == 0);
        Set<Integer> failing = pick(shape.failures(), shape.items(), random);
        List<ItemProcessed> sequence = new ArrayList<>();
        int succeeded = 0;
        int failed = 0;
        int skipped = 0;
        for (int i = 0; i < shape.items(); i++) {
            String itemId = "item-" + i;
            Integer ordinal = ordinals ? i : null;
            ItemOutcome outcome = failing.contains(i) ? ItemOutcome.FAILED
                    : shape.skipEvery() > 0 && i % shape.skipEvery() == shape.skipEvery() - 1 ? ItemOutcome.SKIPPED
                    : ItemOutcome.SUCCEEDED;
            switch (outcome) {
                case FAILED -> failed++;
                case SKIPPED -> skipped++;
                default -> succeeded++;
            }
            if (outcome == ItemOutcome.SUCCEEDED && shape.reorderEvery() > 0 && i % shape.reorderEvery() == 1) {
                // The retry overtakes the failed first attempt; the tracker keeps the higher attempt.
                sequence.add(item(jobId, itemId, ordinal, ItemOutcome.SUCCEEDED, 2, now));
                sequence.add(item(jobId, itemId, ordinal, ItemOutcome.FAILED, 1, now));
                reorderings++;
            } else {
                sequence.add(item(jobId, itemId, ordinal, outcome, 1, now));
            }
        }
        Collections.shuffle(sequence, random);
        int copies = (int) Math.round(shape.items() * shape.duplicateShare());
        for (int d = 0; d < copies; d++) {
            // After a record of the same item: a redelivery of an item never sent would be a new item.
            int position = 1 + random.nextInt(sequence.size());
            ItemProcessed copy = ItemProcessed.newBuilder(sequence.get(random.nextInt(position))).build();
            if (shape.lateDuplicates()) {
                late.add(new Send(Topics.ITEM_PROCESSED.name(), jobId, copy));
            } else {
                sequence.add(position, copy);
            }
        }
        duplicates += copies;

        String sourceRef = shape.pipeline() + "/" + jobId;
        JobCreated created = JobCreated.newBuilder().setJobId(jobId).setPipeline(shape.pipeline())
                .setSourceRef(sourceRef).setExpectedCount(shape.items()).setCountedStage("items")
                .setStages(List.of("items")).setCreatedAt(now).build();
        int before = (int) Math.round(sequence.size() * shape.beforeCreatedShare());
        List<Send> own = new ArrayList<>(sequence.size() + 1);
        sequence.forEach(item -> own.add(new Send(Topics.ITEM_PROCESSED.name(), jobId, item)));
        own.add(Math.min(before, own.size()), new Send(Topics.JOB_CREATED.name(), jobId, created));
        JobState state = failed > 0 ? JobState.COMPLETED_WITH_FAILURES : JobState.COMPLETED;
        expected.put(jobId, new Expected(jobId, sourceRef, state, shape.items(), succeeded, failed, skipped));
        return own;
    }

    /** Round robin over a window of jobs in a random order: interleaved like real workers, still reproducible. */
    private void interleave(List<List<Send>> perJob, Random random) {
        List<List<Send>> active = new ArrayList<>();
        List<Integer> cursors = new ArrayList<>();
        int next = 0;
        while (next < perJob.size() || !active.isEmpty()) {
            while (active.size() < shape.interleavedJobs() && next < perJob.size()) {
                active.add(perJob.get(next++));
                cursors.add(0);
            }
            int pick = random.nextInt(active.size());
            int cursor = cursors.get(pick);
            sends.add(active.get(pick).get(cursor));
            if (cursor + 1 == active.get(pick).size()) {
                active.remove(pick);
                cursors.remove(pick);
            } else {
                cursors.set(pick, cursor + 1);
            }
        }
    }

    private static Set<Integer> pick(int count, int bound, Random random) {
        List<Integer> all = new ArrayList<>(bound);
        for (int i = 0; i < bound; i++) {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return new HashSet<>(all.subList(0, count));
    }

    private static ItemProcessed item(String jobId, String itemId, Integer ordinal, ItemOutcome outcome, int attempt,
                                      Instant now) {
        return ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOrdinal(ordinal).setOutcome(outcome)
                .setAttempt(attempt)
                .setError(outcome == ItemOutcome.FAILED ? "simulated failure" : null).setProcessedAt(now).build();
    }

    /** Problems found in the completions read back; empty when every job completed exactly once, correctly. */
    public List<String> verify(Collection<JobCompleted> completions) {
        Map<String, List<JobCompleted>> byJob = new LinkedHashMap<>();
        for (JobCompleted completed : completions) {
            byJob.computeIfAbsent(completed.getJobId(), id -> new ArrayList<>()).add(completed);
        }
        List<String> problems = new ArrayList<>();
        int missing = 0;
        for (Expected job : expected.values()) {
            List<JobCompleted> seen = byJob.remove(job.jobId());
            if (seen == null) {
                missing++;
                continue;
            }
            if (seen.size() != 1) {
                problems.add(job.jobId() + " completed " + seen.size() + " times");
            }
            JobCompleted done = seen.get(0);
            if (done.getState() != job.state() || done.getExpectedCount() != job.expectedCount()
                    || done.getSucceededCount() != job.succeeded() || done.getFailedCount() != job.failed()
                    || done.getSkippedCount() != job.skipped()) {
                problems.add("%s completed %s with %d succeeded, %d failed, %d skipped of %d; expected %s with %d + %d + %d"
                        .formatted(job.jobId(), done.getState(), done.getSucceededCount(), done.getFailedCount(),
                                done.getSkippedCount(), done.getExpectedCount(), job.state(), job.succeeded(),
                                job.failed(), job.skipped()));
            }
        }
        if (missing > 0) {
            problems.add(missing + " of " + expected.size() + " jobs never completed");
        }
        byJob.keySet().forEach(unknown -> problems.add("completion for a job the workload never created: " + unknown));
        return problems;
    }
}
