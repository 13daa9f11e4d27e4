package io.tally.chartprocessor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A track the processor picked for search and that has not resolved yet: which job picked it and when (epoch millis).
 * Stored as the time followed by the UTF-8 job id, so entries stay small.
 */
record RequestedTrack(String jobId, long requestedAtMillis) {

    static final Serde<RequestedTrack> SERDE = Serdes.serdeFrom(
            (topic, requested) -> requested == null ? null : requested.toBytes(),
            (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

    private byte[] toBytes() {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + job.length).putLong(requestedAtMillis).put(job).array();
    }

    private static RequestedTrack fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = buffer.getLong();
        byte[] job = new byte[buffer.remaining()];
        buffer.get(job);
        return new RequestedTrack(new String(job, StandardCharsets.UTF_8), at);
    }
}
