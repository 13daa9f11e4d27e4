package io.tally.worker;

import java.time.Duration;

/**
 * The failure of a request older than its task type's {@code max-event-age} (the seed's "maximum event age" of a
 * scheduled invocation): the SDK does not run it, sends it straight to the task's dead-letter topic (no retry topic:
 * waiting cannot make it younger) with this message as the reason, and answers FAILED, not retryable, with the code
 * {@link #CODE}.
 */
public final class MaxEventAgeExceededException extends TaskFailedException {

    /** The error code of the FAILED result and of the dead letter's error-code header. */
    public static final String CODE = "max-event-age-exceeded";

    MaxEventAgeExceededException(String taskId, Duration age, Duration maxEventAge) {
        super(CODE, "%s: task %s is %ds old, older than the maximum event age of %ds"
                .formatted(CODE, taskId, age.toSeconds(), maxEventAge.toSeconds()), false);
    }
}
