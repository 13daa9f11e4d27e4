package io.tally.worker;

import java.time.Instant;

/**
 * A {@link TaskContext} of fixed values, to call a handler outside the SDK: in a handler's unit test, or from a tool.
 * Progress reports are dropped, and the job is never cancelled.
 */
public record FixedTaskContext(String jobId, String stage, String itemId, int attempt, int deliveryAttempt,
                               Instant deadline) implements TaskContext {

    /** The first delivery of attempt 1 of {@code stage}'s task (an element when {@code itemId} is not null). */
    public static FixedTaskContext of(String jobId, String stage, String itemId) {
        return new FixedTaskContext(jobId, stage, itemId, 1, 1, null);
    }

    @Override
    public String taskId() {
        return jobId + "/" + stage + (itemId == null ? "" : "/" + itemId) + "#" + attempt;
    }

    @Override
    public void progress(long done, Long total, String message) {
    }

    @Override
    public boolean cancelled() {
        return false;
    }
}
