package io.tally.jobtracker.engine;

import io.tally.events.CachedResult;
import io.tally.events.JobCancelled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;

/**
 * What the engine asks of the tracker it lives in (ADR 0015): the job's status, its timers and its single end. One
 * implementation, the tracker's processor; the interface keeps the engine's rules apart from the Processor-API glue.
 */
public interface JobLedger {

    /** The job's status, or null if the tracker has none. */
    JobStatus job(String jobId);

    /** A new job status in PENDING with its stall timer armed; not saved yet. */
    JobStatus newJob(String jobId, long now);

    /** Stores the status; it is published with the next status tick. */
    void save(JobStatus job);

    /** Stores and publishes the status at once (a transition). */
    void publishNow(JobStatus job, long timestamp);

    /** Records progress: timestamps, and a way out of STALLED that re-arms the stall timer. */
    void progress(JobStatus job, long now);

    /** Arms the job's deadline timer; the tracker ends the job TIMED_OUT when it fires. */
    void armDeadline(String jobId, long dueAtMillis);

    /** Ends the job once: its single {@code JobCompleted}, its final status, and the expiry of its state. */
    void end(JobStatus job, JobState state, String reason, long now, long timestamp);

    /** Arms a timer that calls {@link PipelineEngine#onTaskTimeout} with {@code ref} once it is due. */
    void armTaskTimeout(long dueAtMillis, String ref);

    /** Arms a timer that calls {@link PipelineEngine#onRetryDue} with {@code ref} once it is due. */
    void armRetry(long dueAtMillis, String ref);

    /** Sends one task request (value in the registry wire format, metadata in headers) to its task topic. */
    void dispatch(TaskRequest request, long timestamp);

    /** Tells workers a job will do nothing more, on the compacted cancelled-jobs table. */
    void cancelled(JobCancelled cancelled, long timestamp);

    /** The result cache entry under {@code key}, or null; from a global store, so it may lag its topic a little. */
    CachedResult cachedResult(String key);

    /** Tombstones the result cache entry under {@code key} (in the engine's transaction). */
    void uncache(String key, long timestamp);

    /** Writes a result cache entry (in the engine's transaction) and arms its purge at {@code entry.expiresAt}. */
    void cacheResult(String key, CachedResult entry, long timestamp);
}
