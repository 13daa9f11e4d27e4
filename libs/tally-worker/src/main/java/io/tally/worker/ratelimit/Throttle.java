package io.tally.worker.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * Paces one worker instance's calls to a rate-limited service (the YouTube API, or a task type's external API): a
 * Bucket4j token bucket of {@code requestsPerSecond}, then a group-aware jitter ({@link GroupAwareJitter}). Known
 * gap: the bucket is per worker instance, not shared by the group; the group-wide rate is at most
 * members × requestsPerSecond.
 */
public final class Throttle {

    private final Bucket bucket;
    private final GroupAwareJitter jitter;

    public Throttle(int requestsPerSecond, GroupAwareJitter jitter) {
        this.bucket = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(requestsPerSecond)
                        .refillGreedy(requestsPerSecond, Duration.ofSeconds(1)).build())
                .build();
        this.jitter = jitter;
    }

    /** Blocks until this worker may send its next call. */
    public void acquire() {
        try {
            bucket.asBlocking().consume(1);
            Duration pause = jitter.next();
            if (!pause.isZero()) {
                Thread.sleep(pause.toMillis(), pause.toNanosPart() % 1_000_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the rate limit", e);
        }
    }
}
