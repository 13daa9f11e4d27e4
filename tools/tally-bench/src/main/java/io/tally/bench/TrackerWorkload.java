package io.tally.bench;

import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * The tracker's bench input: {@code jobs} jobs of {@code items} distinct items each, with 5% redeliveries and the
 * first 10% of each job's records ordered before its {@code JobCreated}, jobs interleaved as concurrent workers would
 * interleave them; and the check that every job completed exactly once with the right counts.
 * Known gap: "before the JobCreated" is by record timestamp across two topics, so Kafka Streams' cross-topic ordering
 * makes it approximate (~10%), not exact.
 */
final class TrackerWorkload {

    static final double DUPLICATE_SHARE = 0.05;
    static final double BEFORE_CREATED_SHARE = 0.10;
    /** Every 25th item fails, so the check covers failed counts too. */
    static final int FAIL_EVERY = 25;
    /** Jobs in flight at once in the produced order. */
    private static final int INTERLEAVED_JOBS = 64;

    /** One record to produce, in order. */
    record Event(String topic, String jobId, SpecificRecord value) {
    }

    private final int jobs;
    private final int items;
    private final List<Event> events;
    private final Map<String, Integer> expectedFailed = new HashMap<>();

    TrackerWorkload(int jobs, int items, long seed) {
        this.jobs = jobs;
        this.items = items;
        this.events = generate(seed);
    }

    List<Event> events() {
        return events;
    }

    int jobs() {
        return jobs;
    }

    static String jobId(int job) {
        return String.format(Locale.ROOT, "bench-job-%07d", job);
    }

    private List<Event> generate(long seed) {
        Random random = new Random(seed);
        Instant now = Instant.now();
        List<List<Event>> perJob = new ArrayList<>(jobs);
        for (int j = 0; j < jobs; j++) {
            perJob.add(jobEvents(jobId(j), random, now));
        }
        // Round-robin over a window of jobs in a random order: interleaved like real workers, still reproducible.
        List<Event> all = new ArrayList<>();
        List<List<Event>> active = new ArrayList<>();
        List<Integer> cursors = new ArrayList<>();
        int next = 0;
        while (next < jobs || !active.isEmpty()) {
            while (active.size() < INTERLEAVED_JOBS && next < jobs) {
                active.add(perJob.get(next++));
                cursors.add(0);
            }
            int pick = random.nextInt(active.size());
            int cursor = cursors.get(pick);
            all.add(active.get(pick).get(cursor));
            if (cursor + 1 == active.get(pick).size()) {
                active.remove(pick);
                cursors.remove(pick);
            } else {
                cursors.set(pick, cursor + 1);
            }
        }
        return all;
    }

    private List<Event> jobEvents(String jobId, Random random, Instant now) {
        List<ItemProcessed> sequence = new ArrayList<>(items);
        int failed = 0;
        for (int i = 0; i < items; i++) {
            boolean fails = i % FAIL_EVERY == FAIL_EVERY - 1;
            failed += fails ? 1 : 0;
            sequence.add(ItemProcessed.newBuilder()
                    .setJobId(jobId)
                    .setItemId("item-" + i)
                    .setOutcome(fails ? ItemOutcome.FAILED : ItemOutcome.SUCCEEDED)
                    .setAttempt(1)
                    .setError(fails ? "bench: simulated failure" : null)
                    .setProcessedAt(now)
                    .build());
        }
        expectedFailed.put(jobId, failed);
        java.util.Collections.shuffle(sequence, random);
        int duplicates = (int) Math.round(items * DUPLICATE_SHARE);
        for (int d = 0; d < duplicates; d++) {
            // After a record of the same item: a redelivery of an item never sent would be a new item.
            int position = 1 + random.nextInt(sequence.size());
            sequence.add(position, ItemProcessed.newBuilder(sequence.get(random.nextInt(position))).build());
        }
        int before = (int) Math.round(sequence.size() * BEFORE_CREATED_SHARE);
        List<Event> jobEvents = new ArrayList<>(sequence.size() + 1);
        for (int i = 0; i < sequence.size(); i++) {
            if (i == before) {
                jobEvents.add(new Event(Topics.JOB_CREATED.name(), jobId, jobCreated(jobId, now)));
            }
            jobEvents.add(new Event(Topics.ITEM_PROCESSED.name(), jobId, sequence.get(i)));
        }
        if (before >= sequence.size()) {
            jobEvents.add(new Event(Topics.JOB_CREATED.name(), jobId, jobCreated(jobId, now)));
        }
        return jobEvents;
    }

    private JobCreated jobCreated(String jobId, Instant now) {
        return JobCreated.newBuilder()
                .setJobId(jobId)
                .setPipeline("bench")
                .setSourceRef("bench/" + jobId)
                .setExpectedCount(items)
                .setCountedStage("items")
                .setStages(List.of("items"))
                .setCreatedAt(now)
                .build();
    }

    /** Problems found in the completions read back; empty when every job completed exactly once, correctly. */
    List<String> verify(Collection<JobCompleted> completions) {
        Map<String, List<JobCompleted>> byJob = new LinkedHashMap<>();
        for (JobCompleted completed : completions) {
            byJob.computeIfAbsent(completed.getJobId(), id -> new ArrayList<>()).add(completed);
        }
        List<String> problems = new ArrayList<>();
        int missing = 0;
        for (int j = 0; j < jobs; j++) {
            String jobId = jobId(j);
            List<JobCompleted> seen = byJob.remove(jobId);
            if (seen == null) {
                missing++;
                continue;
            }
            if (seen.size() != 1) {
                problems.add(jobId + " completed " + seen.size() + " times");
            }
            JobCompleted done = seen.get(0);
            int failed = expectedFailed.get(jobId);
            if (done.getExpectedCount() != items || done.getFailedCount() != failed
                    || done.getSucceededCount() != items - failed || done.getSkippedCount() != 0) {
                problems.add(jobId + " completed " + done.getState() + " with " + done.getSucceededCount()
                        + " succeeded, " + done.getFailedCount() + " failed, " + done.getSkippedCount()
                        + " skipped of " + done.getExpectedCount() + "; expected " + (items - failed) + " + " + failed
                        + " of " + items);
            }
        }
        if (missing > 0) {
            problems.add(missing + " of " + jobs + " jobs never completed");
        }
        byJob.keySet().forEach(unknown -> problems.add("completion for a job the bench never created: " + unknown));
        return problems;
    }
}
