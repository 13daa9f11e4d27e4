package io.tally.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * How the engine retries a failed or timed-out attempt of a task. A worker's own retries (the SDK's retry topics)
 * happen inside one attempt; these are attempts the engine dispatches again.
 *
 * @param attempts     total attempts, at least 1 (1 means no retry)
 * @param initialDelay the wait before the second attempt
 * @param multiplier   how much each further wait grows, at least 1
 * @param maxDelay     the longest wait between attempts
 * @param notRetried   error codes a worker reports that end the task at once, whatever attempts are left
 */
public record RetryPolicy(int attempts, Duration initialDelay, double multiplier, Duration maxDelay,
                          List<String> notRetried) {

    /** One attempt and no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO, List.of());

    public RetryPolicy {
        notRetried = List.copyOf(notRetried);
    }

    /** The wait before attempt {@code attempt} (2 for the first retry). */
    public Duration delayBefore(int attempt) {
        double millis = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 2));
        return Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
    }
}
