package io.tally.worker;

import java.time.Instant;

/**
 * What a running task knows about itself and can tell the engine: its metadata from the request's CloudEvents
 * headers (ADR 0016), progress reports, and whether its job was cancelled meanwhile.
 */
public interface TaskContext {

    /** The task id ({@code ce_id}): {@code <jobId>/<stage>[/<itemId>]#<attempt>}. */
    String taskId();

    String jobId();

    String stage();

    /** The element of a fan-out stage, or null for a single task. */
    String itemId();

    /** The engine's attempt number ({@code ce_tallyattempt}), from 1; the same on every retry topic. */
    int attempt();

    /** This worker's delivery of the attempt: 1 on the request topic, 2 on the first retry topic, and so on. */
    int deliveryAttempt();

    /** When the engine times the attempt out, or null if the request names no deadline. */
    Instant deadline();

    /** Reports progress on {@code tally.tasks.progress}; informational, never counted. {@code total} may be null. */
    void progress(long done, Long total, String message);

    /** True once the job is in the {@code tally.jobs.cancelled} table: a long task should stop early. */
    boolean cancelled();
}
