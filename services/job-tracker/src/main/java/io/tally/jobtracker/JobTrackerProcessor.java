package io.tally.jobtracker;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.JobStates;
import io.tally.events.CachedResult;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobCancelled;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobPurgeRequested;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.events.TaskResult;
import io.tally.jobtracker.TimerKey.Kind;
import io.tally.jobtracker.engine.EngineSettings;
import io.tally.jobtracker.engine.JobLedger;
import io.tally.jobtracker.engine.PipelineDefinitions;
import io.tally.jobtracker.engine.PipelineEngine;
import io.tally.jobtracker.engine.TaskCodec;
import io.tally.jobtracker.engine.TaskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts each job's distinct items and ends every job exactly once. It reads {@code JobCreated}, {@code ItemProcessed}
 * and {@code StageReported} (all keyed by job id, so one task sees all of a job) and keeps the job status, the item
 * marks for dedupe (per job for items with an ordinal, else per item: {@link ItemMarks}), and due-time-ordered timers
 * for stalls, deadlines and expiry.
 * The semantics are written down in docs/adr/0003-counting-and-exactly-once.md.
 * It also hosts the pipeline engine (ADR 0015): triggers, task results and cancel requests go to
 * {@link PipelineEngine}, which keeps its runs and tasks in two more stores and uses this processor as its
 * {@link JobLedger}.
 * Known gap: statuses changed between two status ticks are kept in memory only; after a crash they are published
 * on the job's next change or transition, while ends, stalls and corrections are always published at once.
 */
final class JobTrackerProcessor implements Processor<String, Object, String, Object>, JobLedger {

    private final TrackerProperties config;
    private final TrackerMetrics metrics;
    private final Set<String> changedJobs = new LinkedHashSet<>();
    private final Function<ProcessorContext<String, Object>, PipelineDefinitions> definitions;
    private final TaskCodec codec;
    private final EngineSettings settings;
    private final ArtifactStore artifacts;
    private PipelineEngine engine;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, JobStatus> jobs;
    private ItemMarks items;
    private KeyValueStore<Bytes, byte[]> timers;
    private KeyValueStore<String, CachedResult> resultCache;

    JobTrackerProcessor(TrackerProperties config, TrackerMetrics metrics,
                        Function<ProcessorContext<String, Object>, PipelineDefinitions> definitions,
                        TaskCodec codec, EngineSettings settings, ArtifactStore artifacts) {
        this.config = config;
        this.metrics = metrics;
        this.definitions = definitions;
        this.codec = codec;
        this.settings = settings;
        this.artifacts = artifacts;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.jobs = context.getStateStore(JobTrackerTopology.JOBS_STORE);
        this.items = new ItemMarks(context.getStateStore(JobTrackerTopology.ITEMS_STORE),
                context.getStateStore(JobTrackerTopology.ORDINALS_STORE), config.ordinalLimit());
        this.timers = context.getStateStore(JobTrackerTopology.TIMERS_STORE);
        this.resultCache = context.getStateStore(JobTrackerTopology.RESULT_CACHE_STORE);
        this.engine = new PipelineEngine(this, definitions.apply(context), codec,
                context.getStateStore(JobTrackerTopology.RUNS_STORE), context.getStateStore(JobTrackerTopology.TASKS_STORE),
                settings, artifacts);
        context.schedule(config.timerInterval(), PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
        context.schedule(config.statusInterval(), PunctuationType.WALL_CLOCK_TIME, now -> publishChangedStatuses());
    }

    @Override
    public void process(Record<String, Object> record) {
        Object value = record.value();
        if (value == null) {
            throw new PoisonRecordException("Record on %s with key '%s' has no value; job topics take no tombstones"
                    .formatted(topic(), record.key()));
        }
        if (value instanceof ItemProcessed item) {
            onItem(record, item);
        } else if (value instanceof JobCreated created) {
            onJobCreated(record, created);
        } else if (value instanceof StageReported stage) {
            onStage(record, stage);
        } else if (value instanceof TaskResult result) {
            requireJobKey(record, result.getJobId());
            engine.onResult(result, now(), record.timestamp());
        } else if (value instanceof PipelineTriggered trigger) {
            requireJobKey(record, trigger.getJobId());
            if (engine.onTrigger(trigger, now(), record.timestamp())) {
                metrics.created();
            }
        } else if (value instanceof JobCancelRequested cancel) {
            requireJobKey(record, cancel.getJobId());
            engine.onCancel(cancel, now(), record.timestamp());
        } else if (value instanceof JobPurgeRequested purge) {
            requireJobKey(record, purge.getJobId());
            onPurge(purge, record.timestamp());
        } else {
            throw new PoisonRecordException("Record on %s is a %s, which the job tracker does not read"
                    .formatted(topic(), value.getClass().getName()));
        }
    }

    private void onJobCreated(Record<String, Object> record, JobCreated created) {
        String jobId = requireJobKey(record, created.getJobId());
        require(!created.getPipeline().isBlank(), "JobCreated %s has a blank pipeline", jobId);
        require(created.getExpectedCount() >= 0, "JobCreated %s has a negative expectedCount (%d)", jobId, created.getExpectedCount());
        long now = now();
        JobStatus job = jobs.get(jobId);
        if (job != null && job.getCreatedAt() != null) {
            // A redelivered or repeated JobCreated: the first one defines the job.
            job.setDuplicateCount(job.getDuplicateCount() + 1);
            save(job);
            metrics.duplicate();
            return;
        }
        if (job == null) {
            job = newJob(jobId, now);
        }
        job.setPipeline(created.getPipeline());
        job.setSourceRef(created.getSourceRef());
        job.setExpectedCount(created.getExpectedCount());
        job.setCreatedAt(created.getCreatedAt());
        // Without a deadline of its own a job still ends: ADR 0003 rule 7, so a job stuck for good frees its state.
        Instant deadline = created.getDeadline() != null ? created.getDeadline()
                : Instant.ofEpochMilli(now).plus(config.maxJobAge());
        job.setDeadline(deadline);
        job.setStages(declareStages(job, created));
        job.setCountedStage(created.getCountedStage());
        if (job.getState() == JobState.PENDING) {
            job.setState(JobState.RUNNING);
        }
        countedStage(job).setTotal((long) created.getExpectedCount());
        // A job that stalled while PENDING leaves STALLED here, in progress(), which re-arms its stall timer (ADR 0003
        // rule 6). Setting RUNNING first would skip that, and the job could never stall again.
        progress(job, now);
        armTimer(deadline.toEpochMilli(), Kind.DEADLINE, jobId);
        metrics.created();
        if (!completeIfAllCounted(record, job, now)) {
            publishNow(record, job);
        }
    }

    private void onItem(Record<String, Object> record, ItemProcessed item) {
        String jobId = requireJobKey(record, item.getJobId());
        require(!item.getItemId().isEmpty(), "ItemProcessed of job %s has an empty itemId", jobId);
        require(item.getAttempt() >= 1, "ItemProcessed %s/%s has attempt %d; attempts start at 1", jobId, item.getItemId(), item.getAttempt());
        require(item.getOrdinal() == null || item.getOrdinal() >= 0, "ItemProcessed %s/%s has ordinal %d; ordinals start at 0",
                jobId, item.getItemId(), item.getOrdinal());
        long now = now();
        JobStatus job = jobs.get(jobId);
        if (job == null) {
            job = newJob(jobId, now);
        } else if (job.getPipelineVersion() != null) {
            throw new PoisonRecordException(("ItemProcessed %s/%s is for a job the pipeline engine runs; its workers "
                    + "report task results instead").formatted(jobId, item.getItemId()));
        }
        ItemMark previous = items.get(item);
        if (previous == null) {
            onNewItem(record, job, item, now);
        } else if (item.getAttempt() < previous.attempt()
                || (item.getOutcome() == previous.outcome() && item.getAttempt() == previous.attempt())) {
            // Redelivered, or an older attempt arriving after a newer one: it changes nothing.
            job.setDuplicateCount(job.getDuplicateCount() + 1);
            metrics.duplicate();
            save(job);
        } else if (item.getOutcome() == previous.outcome()) {
            mark(job, item, previous.late());
            job.setDuplicateCount(job.getDuplicateCount() + 1);
            metrics.duplicate();
            save(job);
        } else {
            onCorrectedItem(record, job, previous, item, now);
        }
    }

    private void mark(JobStatus job, ItemProcessed item, boolean late) {
        items.put(item, new ItemMark(item.getOutcome(), item.getAttempt(), late),
                job.getExpectedCount() == null ? 0 : job.getExpectedCount());
    }

    private void onNewItem(Record<String, Object> record, JobStatus job, ItemProcessed item, long now) {
        if (isEnded(job)) {
            mark(job, item, true);
            job.setLateCount(job.getLateCount() + 1);
            job.setUpdatedAt(Instant.ofEpochMilli(now));
            metrics.late();
            publishNow(record, job);
            return;
        }
        mark(job, item, false);
        JobCounts.add(job, item.getOutcome(), 1);
        StageStatus counted = countedStage(job);
        if (counted.getStartedAt() == null) {
            counted.setStartedAt(Instant.ofEpochMilli(now));
        }
        counted.setState(StageState.RUNNING);
        progress(job, now);
        metrics.counted();
        if (!completeIfAllCounted(record, job, now)) {
            save(job);
        }
    }

    private void onCorrectedItem(Record<String, Object> record, JobStatus job, ItemMark previous, ItemProcessed item,
                                 long now) {
        mark(job, item, previous.late());
        job.setCorrectionCount(job.getCorrectionCount() + 1);
        metrics.corrected();
        if (previous.late()) {
            save(job);
            return;
        }
        JobCounts.add(job, previous.outcome(), -1);
        JobCounts.add(job, item.getOutcome(), 1);
        if (isEnded(job)) {
            // The job keeps its single JobCompleted; its status shows the corrected counts.
            if (job.getState() != JobState.TIMED_OUT) {
                job.setState(endState(job));
            }
            finishCountedStage(job);
            job.setUpdatedAt(Instant.ofEpochMilli(now));
            publishNow(record, job);
        } else {
            progress(job, now);
            save(job);
        }
    }

    private void onStage(Record<String, Object> record, StageReported report) {
        String jobId = requireJobKey(record, report.getJobId());
        require(!report.getStage().isBlank(), "StageReported of job %s has a blank stage name", jobId);
        long now = now();
        JobStatus job = jobs.get(jobId);
        if (job == null) {
            job = newJob(jobId, now);
        } else if (job.getPipelineVersion() != null) {
            // The engine owns an engine job's stages; a report from outside would overwrite a stage it decided.
            throw new PoisonRecordException(("StageReported for stage '%s' of job %s, which the pipeline engine runs; "
                    + "its workers report task results instead").formatted(report.getStage(), jobId));
        }
        if (report.getStage().equals(job.getCountedStage())) {
            throw new PoisonRecordException("StageReported for job %s names stage '%s', which the tracker counts itself"
                    .formatted(jobId, report.getStage()));
        }
        StageStatus stage = stage(job, report.getStage());
        Instant at = report.getReportedAt();
        stage.setState(report.getState());
        stage.setDone(report.getDone());
        stage.setTotal(report.getTotal());
        stage.setDetail(report.getDetail());
        stage.setUpdatedAt(at);
        if (stage.getStartedAt() == null) {
            stage.setStartedAt(at);
        }
        stage.setEndedAt(report.getState() == StageState.PENDING || report.getState() == StageState.RUNNING ? null : at);
        if (isEnded(job)) {
            job.setUpdatedAt(Instant.ofEpochMilli(now));
        } else {
            progress(job, now);
        }
        save(job);
    }

    private boolean completeIfAllCounted(Record<String, Object> record, JobStatus job, long now) {
        if (isEnded(job) || job.getExpectedCount() == null || processed(job) < job.getExpectedCount()) {
            return false;
        }
        end(job, endState(job), null, now, record.timestamp());
        return true;
    }

    @Override
    public void end(JobStatus job, JobState state, String reason, long now, long timestamp) {
        job.setState(state);
        job.setCompletedAt(Instant.ofEpochMilli(now));
        job.setUpdatedAt(Instant.ofEpochMilli(now));
        if (job.getPipelineVersion() == null) {
            finishCountedStage(job);
        } else {
            engine.onJobEnded(job, state, reason, now);
        }
        save(job);
        JobCompleted completed = JobCompleted.newBuilder()
                .setJobId(job.getJobId())
                .setPipeline(job.getPipeline())
                .setSourceRef(job.getSourceRef())
                .setState(state)
                .setExpectedCount(job.getExpectedCount())
                .setSucceededCount(job.getSucceededCount())
                .setFailedCount(job.getFailedCount())
                .setSkippedCount(job.getSkippedCount())
                .setCreatedAt(job.getCreatedAt())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setReason(reason)
                .setResult(job.getResult())
                .setResultRef(job.getResultRef())
                .setCachedFrom(job.getCachedFrom())
                .build();
        context.forward(new Record<>(job.getJobId(), completed, timestamp), JobTrackerTopology.COMPLETED_SINK);
        publish(job, timestamp);
        if (job.getDeadline() != null) {
            // Every created job has a deadline timer (max-job-age); an ended job's would only linger in the store.
            timers.delete(new TimerKey(job.getDeadline().toEpochMilli(), Kind.DEADLINE, job.getJobId()).toBytes());
        }
        armTimer(now + config.retention().toMillis(), Kind.EXPIRE, job.getJobId());
        metrics.ended(state, Duration.between(job.getCreatedAt(), job.getCompletedAt()));
    }

    private void fireDueTimers(long now) {
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> iterator = timers.range(TimerKey.lowerBound(0), TimerKey.lowerBound(now + 1))) {
            while (iterator.hasNext() && due.size() < config.maxTimersPerTick()) {
                due.add(iterator.next());
            }
        }
        for (KeyValue<Bytes, byte[]> entry : due) {
            timers.delete(entry.key);
            TimerKey timer = TimerKey.fromBytes(entry.key);
            if (timer.kind() == Kind.TASK_TIMEOUT) {
                engine.onTaskTimeout(timer.jobId(), now);
                continue;
            }
            if (timer.kind() == Kind.RETRY) {
                engine.onRetryDue(timer.jobId(), now);
                continue;
            }
            if (timer.kind() == Kind.CACHE_EXPIRE) {
                purgeCacheEntry(timer.jobId(), now);
                continue;
            }
            JobStatus job = jobs.get(timer.jobId());
            if (job == null) {
                continue;
            }
            switch (timer.kind()) {
                case STALL -> checkStall(job, now);
                case DEADLINE -> {
                    if (!isEnded(job)) {
                        end(job, JobState.TIMED_OUT, "deadline " + job.getDeadline() + " passed", now, now);
                    }
                }
                case EXPIRE -> expireIfDue(job, now);
                default -> throw new IllegalStateException("timer kind " + timer.kind() + " is handled above");
            }
        }
    }

    /**
     * Tombstones an expired result cache entry. An entry that a later job refreshed is left to that job's own timer;
     * one already gone needs nothing. Every task that wrote the key may tombstone it: the tombstones are alike.
     */
    private void purgeCacheEntry(String key, long now) {
        CachedResult entry = resultCache.get(key);
        if (entry != null && entry.getExpiresAt().toEpochMilli() <= now) {
            context.forward(new Record<String, Object>(key, null, now), JobTrackerTopology.RESULT_CACHE_SINK);
        }
    }

    @Override
    public CachedResult cachedResult(String key) {
        return resultCache.get(key);
    }

    @Override
    public void uncache(String key, long timestamp) {
        context.forward(new Record<String, Object>(key, null, timestamp), JobTrackerTopology.RESULT_CACHE_SINK);
    }

    @Override
    public void cacheResult(String key, CachedResult entry, long timestamp) {
        context.forward(new Record<String, Object>(key, entry, timestamp), JobTrackerTopology.RESULT_CACHE_SINK);
        armTimer(entry.getExpiresAt().toEpochMilli(), Kind.CACHE_EXPIRE, key);
    }

    private void checkStall(JobStatus job, long now) {
        if (isEnded(job) || job.getState() == JobState.STALLED) {
            return;
        }
        long dueAt = job.getLastProgressAt().toEpochMilli() + config.stallTimeout().toMillis();
        if (dueAt > now) {
            armTimer(dueAt, Kind.STALL, job.getJobId());
            return;
        }
        JobState before = job.getState();
        job.setState(JobState.STALLED);
        job.setUpdatedAt(Instant.ofEpochMilli(now));
        save(job);
        JobStalled stalled = JobStalled.newBuilder()
                .setJobId(job.getJobId())
                .setPipeline(job.getPipeline())
                .setSourceRef(job.getSourceRef())
                .setExpectedCount(job.getExpectedCount())
                .setProcessedCount(processed(job))
                .setLastProgressAt(job.getLastProgressAt())
                .setStalledAt(Instant.ofEpochMilli(now))
                .setReason(before == JobState.PENDING
                        ? "items arrived but no JobCreated within " + config.stallTimeout()
                        : "no progress for " + config.stallTimeout() + " with " + processed(job) + " of "
                          + job.getExpectedCount() + " items processed")
                .build();
        context.forward(new Record<>(job.getJobId(), stalled, now), JobTrackerTopology.STALLED_SINK);
        publish(job, now);
        metrics.stalled();
        if (before == JobState.PENDING) {
            // A job that never gets its JobCreated would otherwise keep its state forever.
            armTimer(job.getLastProgressAt().toEpochMilli() + config.retention().toMillis(), Kind.EXPIRE, job.getJobId());
        }
    }

    private void expireIfDue(JobStatus job, long now) {
        Instant since = isEnded(job) ? job.getCompletedAt() : job.getCreatedAt() == null ? job.getLastProgressAt() : null;
        if (since == null) {
            return;
        }
        long dueAt = since.toEpochMilli() + config.retention().toMillis();
        if (dueAt > now) {
            armTimer(dueAt, Kind.EXPIRE, job.getJobId());
            return;
        }
        delete(job);
    }

    /**
     * An admin's deep cleanup or factory reset: an ended job's state goes now instead of at its retention, with its
     * result cache entry. A running job is refused (cancel it first); an unknown one was already forgotten.
     */
    private void onPurge(JobPurgeRequested purge, long timestamp) {
        JobStatus job = jobs.get(purge.getJobId());
        if (job == null) {
            return;
        }
        if (!isEnded(job)) {
            throw new PoisonRecordException("Purge of job %s by %s refused: it is %s; only ended jobs are purged"
                    .formatted(purge.getJobId(), purge.getRequestedBy(), job.getState()));
        }
        engine.purge(purge.getJobId(), timestamp);
        delete(job);
    }

    /** Deletes every trace of the job in the tracker's and the engine's stores; its timers find nothing later. */
    private void delete(JobStatus job) {
        items.deleteJob(job.getJobId());
        engine.expire(job.getJobId());
        jobs.delete(job.getJobId());
        changedJobs.remove(job.getJobId());
    }

    private void publishChangedStatuses() {
        long now = now();
        for (String jobId : changedJobs) {
            JobStatus job = jobs.get(jobId);
            if (job != null) {
                context.forward(new Record<>(jobId, job, now), JobTrackerTopology.STATUS_SINK);
            }
        }
        changedJobs.clear();
    }

    private void publishNow(Record<String, Object> cause, JobStatus job) {
        publishNow(job, cause.timestamp());
    }

    @Override
    public void publishNow(JobStatus job, long timestamp) {
        save(job);
        publish(job, timestamp);
    }

    private void publish(JobStatus job, long timestamp) {
        changedJobs.remove(job.getJobId());
        context.forward(new Record<>(job.getJobId(), job, timestamp), JobTrackerTopology.STATUS_SINK);
    }

    @Override
    public JobStatus job(String jobId) {
        return jobs.get(jobId);
    }

    @Override
    public void armDeadline(String jobId, long dueAtMillis) {
        armTimer(dueAtMillis, Kind.DEADLINE, jobId);
    }

    @Override
    public void armTaskTimeout(long dueAtMillis, String ref) {
        armTimer(dueAtMillis, Kind.TASK_TIMEOUT, ref);
    }

    @Override
    public void armRetry(long dueAtMillis, String ref) {
        armTimer(dueAtMillis, Kind.RETRY, ref);
    }

    @Override
    public void dispatch(TaskRequest request, long timestamp) {
        context.forward(new Record<String, Object>(request.jobId(), request.input(), timestamp, request.headers()),
                JobTrackerTopology.TASKS_SINK);
    }

    @Override
    public void cancelled(JobCancelled cancelled, long timestamp) {
        context.forward(new Record<>(cancelled.getJobId(), cancelled, timestamp), JobTrackerTopology.CANCELLED_SINK);
    }

    @Override
    public void save(JobStatus job) {
        jobs.put(job.getJobId(), job);
        changedJobs.add(job.getJobId());
    }

    @Override
    public JobStatus newJob(String jobId, long now) {
        Instant at = Instant.ofEpochMilli(now);
        JobStatus job = JobStatus.newBuilder()
                .setJobId(jobId)
                .setState(JobState.PENDING)
                .setSucceededCount(0)
                .setFailedCount(0)
                .setSkippedCount(0)
                .setFirstSeenAt(at)
                .setLastProgressAt(at)
                .setUpdatedAt(at)
                .build();
        job.setStages(new ArrayList<>(List.of(newStage(job.getCountedStage()))));
        armTimer(now + config.stallTimeout().toMillis(), Kind.STALL, jobId);
        return job;
    }

    /**
     * Records progress. Every way out of STALLED goes through here, because only here is the stall timer re-armed:
     * a job that is neither ended nor STALLED always has one.
     */
    @Override
    public void progress(JobStatus job, long now) {
        Instant at = Instant.ofEpochMilli(now);
        job.setLastProgressAt(at);
        job.setUpdatedAt(at);
        if (job.getState() == JobState.STALLED) {
            job.setState(job.getCreatedAt() == null ? JobState.PENDING : JobState.RUNNING);
            armTimer(now + config.stallTimeout().toMillis(), Kind.STALL, job.getJobId());
        }
        if (job.getPipelineVersion() != null) {
            // The engine keeps each of its stages' progress itself.
            return;
        }
        StageStatus counted = countedStage(job);
        counted.setDone(processed(job));
        counted.setUpdatedAt(at);
    }

    private void finishCountedStage(JobStatus job) {
        StageStatus counted = countedStage(job);
        counted.setDone(processed(job));
        counted.setUpdatedAt(job.getUpdatedAt());
        counted.setEndedAt(job.getCompletedAt());
        boolean allFailed = job.getFailedCount() > 0 && job.getFailedCount() == processed(job);
        counted.setState(job.getState() == JobState.TIMED_OUT || allFailed ? StageState.FAILED : StageState.SUCCEEDED);
        counted.setDetail(job.getState() == JobState.TIMED_OUT
                ? "timed out with %d of %d items processed".formatted(processed(job), job.getExpectedCount())
                : job.getFailedCount() > 0 ? "%d of %d items failed".formatted(job.getFailedCount(), processed(job)) : null);
    }

    /** The job's stages in declared order; stages reported before the JobCreated keep their progress. */
    private static List<StageStatus> declareStages(JobStatus job, JobCreated created) {
        String counted = created.getCountedStage();
        List<StageStatus> known = job.getStages();
        StageStatus early = find(known, job.getCountedStage());
        if (early != null && find(known, counted) == null) {
            // Items that arrived before the JobCreated were counted under the default counted-stage name.
            early.setName(counted);
        }
        List<String> names = new ArrayList<>(created.getStages());
        if (!names.contains(counted)) {
            names.add(counted);
        }
        List<StageStatus> ordered = new ArrayList<>();
        for (String name : names) {
            StageStatus existing = find(known, name);
            ordered.add(existing != null ? existing : newStage(name));
        }
        known.stream().filter(stage -> !names.contains(stage.getName())).forEach(ordered::add);
        return ordered;
    }

    private static StageStatus find(List<StageStatus> stages, String name) {
        // A plain loop: this runs for every item, and a stream pipeline here showed up in the benchmark's profile.
        for (StageStatus stage : stages) {
            if (stage.getName().equals(name)) {
                return stage;
            }
        }
        return null;
    }

    private static StageStatus newStage(String name) {
        return StageStatus.newBuilder().setName(name).setState(StageState.PENDING).setDone(0).build();
    }

    private StageStatus countedStage(JobStatus job) {
        return stage(job, job.getCountedStage());
    }

    private static StageStatus stage(JobStatus job, String name) {
        StageStatus stage = find(job.getStages(), name);
        if (stage == null) {
            stage = newStage(name);
            job.getStages().add(stage);
        }
        return stage;
    }

    private static int processed(JobStatus job) {
        return job.getSucceededCount() + job.getFailedCount() + job.getSkippedCount();
    }

    private static JobState endState(JobStatus job) {
        return job.getFailedCount() > 0 ? JobState.COMPLETED_WITH_FAILURES : JobState.COMPLETED;
    }

    static boolean isEnded(JobStatus job) {
        return JobStates.isEnded(job.getState());
    }

    private void armTimer(long dueAtMillis, Kind kind, String jobId) {
        timers.put(new TimerKey(dueAtMillis, kind, jobId).toBytes(), new byte[0]);
    }

    private String requireJobKey(Record<String, Object> record, String jobId) {
        require(!jobId.isBlank(), "Record on %s has a blank jobId", topic());
        if (!jobId.equals(record.key())) {
            throw new PoisonRecordException(("Record on %s has key '%s' but jobId '%s'; job events must be keyed by "
                    + "their job id so that they reach the job's partition").formatted(topic(), record.key(), jobId));
        }
        return jobId;
    }

    private static void require(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new PoisonRecordException(message.formatted(args));
        }
    }

    private String topic() {
        return context.recordMetadata().map(RecordMetadata::topic).orElse("(punctuation)");
    }

    private long now() {
        return context.currentSystemTimeMs();
    }
}
