package io.tally.jobtracker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Key of the timer store: due time (big-endian, so byte order is time order), timer kind, job id. A range scan up
 * to "now" finds every due timer without visiting open jobs that are not due, which keeps the periodic check cheap
 * with a million open jobs.
 */
record TimerKey(long dueAtMillis, Kind kind, String jobId) {

    /** What a timer checks when it fires. New kinds go at the end: the ordinal is stored in the key. */
    enum Kind {
        /** Whether the job has made progress within the stall timeout. */
        STALL,
        /** Whether the job passed its deadline unfinished. */
        DEADLINE,
        /** Whether the job's state has outlived its retention and can be deleted. */
        EXPIRE,
        /** Whether an engine task's attempt is still out past its timeout; the key's job id is the task reference. */
        TASK_TIMEOUT,
        /** An engine task's retry is due; the key's job id is the task reference. */
        RETRY,
        /** A result cache entry may have expired; the key's job id is the cache key. */
        CACHE_EXPIRE
    }

    private static final Kind[] KINDS = Kind.values();

    Bytes toBytes() {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + 1 + job.length)
                .putLong(dueAtMillis).put((byte) kind.ordinal()).put(job).array());
    }

    static TimerKey fromBytes(Bytes key) {
        ByteBuffer buffer = ByteBuffer.wrap(key.get());
        long due = buffer.getLong();
        Kind kind = KINDS[buffer.get()];
        byte[] job = new byte[buffer.remaining()];
        buffer.get(job);
        return new TimerKey(due, kind, new String(job, StandardCharsets.UTF_8));
    }

    /** The smallest key due at or after {@code millis}; timers due before it sort lower. */
    static Bytes lowerBound(long millis) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(millis).array());
    }
}
