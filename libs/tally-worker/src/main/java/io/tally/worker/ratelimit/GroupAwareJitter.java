package io.tally.worker.ratelimit;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * The random pause before each rate-limited call, growing with the worker group: jitter ∈ [0, baseJitter × max(1, members)).
 * With n workers each sending at most r requests per second, the group's calls are spread over a window n times
 * wider, so adding workers does not make them hit the API in lock-step (seed 002: jitter grows with active workers).
 */
public final class GroupAwareJitter {

    private final Duration baseJitter;
    private final IntSupplier members;

    /**
     * @param baseJitter jitter per group member
     * @param members    current member count of the worker's consumer group
     */
    public GroupAwareJitter(Duration baseJitter, IntSupplier members) {
        this.baseJitter = baseJitter;
        this.members = members;
    }

    /** The exclusive upper bound of the jitter for a group of {@code members}: baseJitter × max(1, members). */
    public static Duration upperBound(Duration baseJitter, int members) {
        return baseJitter.multipliedBy(Math.max(1, members));
    }

    /** A random jitter in [0, upperBound) for the current group size. */
    public Duration next() {
        long boundNanos = upperBound(baseJitter, members.getAsInt()).toNanos();
        return boundNanos <= 0 ? Duration.ZERO : Duration.ofNanos(ThreadLocalRandom.current().nextLong(boundNanos));
    }
}
