package io.tally.playlist;

import io.tally.events.JobCompleted;
import io.tally.events.PlaylistCreated;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes of the local stores. Values use Avro's single-object encoding (schema fingerprint + body): internal state
 * needs no registry round trip, and the fingerprint lets a later release detect an old layout.
 */
final class PlaylistStoreSerdes {

    private PlaylistStoreSerdes() {
    }

    /** A job waiting for its chart or tracks, and the wall-clock time after which it stops waiting. */
    record PendingJob(long deadlineMs, JobCompleted job) {
    }

    static Serde<PlaylistCreated> playlistCreated() {
        return Serdes.serdeFrom(
                (topic, value) -> value == null ? null : bytes(encode(value)),
                (topic, bytes) -> bytes == null ? null : decodePlaylist(ByteBuffer.wrap(bytes)));
    }

    static Serde<PendingJob> pendingJob() {
        return Serdes.serdeFrom(
                (topic, value) -> {
                    if (value == null) {
                        return null;
                    }
                    byte[] job = bytes(encode(value.job()));
                    return ByteBuffer.allocate(Long.BYTES + job.length).putLong(value.deadlineMs()).put(job).array();
                },
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    long deadline = buffer.getLong();
                    return new PendingJob(deadline, decodeJob(buffer.slice()));
                });
    }

    private static ByteBuffer encode(PlaylistCreated value) {
        try {
            return value.toByteBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer encode(JobCompleted value) {
        try {
            return value.toByteBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PlaylistCreated decodePlaylist(ByteBuffer buffer) {
        try {
            return PlaylistCreated.fromByteBuffer(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JobCompleted decodeJob(ByteBuffer buffer) {
        try {
            return JobCompleted.fromByteBuffer(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
