package io.tally.common.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes for Avro's single-object encoding (schema fingerprint + body), for state stores and internal topics that only
 * one service writes and reads: they need no registry round trip, and the fingerprint lets a later release detect an
 * old layout. Nulls pass through as nulls, as tombstones must.
 */
public final class SingleObjectSerde {

    /** Writes a value in single-object encoding; generated Avro classes offer it as {@code toByteBuffer()}. */
    @FunctionalInterface
    public interface Encoder<T> {
        ByteBuffer encode(T value) throws IOException;
    }

    /** Reads a value in single-object encoding; generated Avro classes offer it as {@code fromByteBuffer(ByteBuffer)}. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(ByteBuffer buffer) throws IOException;
    }

    private SingleObjectSerde() {
    }

    /** A serde from a generated class's own coders, e.g. {@code of(JobStatus::toByteBuffer, JobStatus::fromByteBuffer)}. */
    public static <T> Serde<T> of(Encoder<T> encoder, Decoder<T> decoder) {
        return Serdes.serdeFrom(
                (topic, value) -> {
                    if (value == null) {
                        return null;
                    }
                    try {
                        ByteBuffer buffer = encoder.encode(value);
                        byte[] bytes = new byte[buffer.remaining()];
                        buffer.get(bytes);
                        return bytes;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        return decoder.decode(ByteBuffer.wrap(bytes));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
