package io.tally.common.kafka;

import com.microsoft.kiota.ApiException;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Wraps Apicurio's Avro deserializer so that every bad value fails with a {@link SerializationException} whose message
 * says what is wrong: not framed, unknown schema id, not valid Avro, or the wrong record type for the topic. Those
 * messages become the reason on dead-letter records. Apicurio itself throws assorted runtime exceptions with
 * messages such as "artifact reference cannot be null" for the same cases.
 *
 * The expected type comes from a function of the topic, so one deserializer can serve every catalogue topic.
 *
 * @param <T> the record type (or common supertype) the topics carry
 */
public final class ExplainingAvroDeserializer<T> implements Deserializer<T> {

    /** Magic byte and 4-byte schema id that precede the Avro body in the Confluent wire format. */
    public static final int WIRE_HEADER_LENGTH = 5;

    private final Deserializer<?> delegate;
    private final Function<String, Class<? extends T>> expectedTypeOfTopic;

    public ExplainingAvroDeserializer(Deserializer<?> delegate, Function<String, Class<? extends T>> expectedTypeOfTopic) {
        this.delegate = delegate;
        this.expectedTypeOfTopic = expectedTypeOfTopic;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        delegate.configure(configs, isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < WIRE_HEADER_LENGTH) {
            throw new SerializationException("Value on %s has %d bytes, too short for the Confluent wire format "
                    .formatted(topic, data.length) + "(magic byte 0, 4-byte schema id, Avro body)");
        }
        if (data[0] != 0) {
            throw new SerializationException("Value on %s does not start with magic byte 0x00 (found 0x%02x): it is not registry-framed Avro"
                    .formatted(topic, data[0] & 0xff));
        }
        // Big-endian, as the wire format has it; no ByteBuffer: this runs for every record the services read.
        int schemaId = (data[1] & 0xff) << 24 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 8 | (data[4] & 0xff);
        Object value;
        try {
            value = headers == null ? delegate.deserialize(topic, data) : delegate.deserialize(topic, headers, data);
        } catch (RuntimeException e) {
            throw new SerializationException(explain(topic, schemaId, e), e);
        }
        Class<? extends T> expectedType = expectedTypeOfTopic.apply(topic);
        if (value != null && !expectedType.isInstance(value)) {
            throw new SerializationException("Value on %s is a %s (schema id %d), but the topic carries %s"
                    .formatted(topic, value.getClass().getName(), schemaId, expectedType.getName()));
        }
        return expectedType.cast(value);
    }

    private static String explain(String topic, int schemaId, RuntimeException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ApiException api && api.getResponseStatusCode() == 404) {
                return "Value on %s refers to schema id %d, which the registry does not know".formatted(topic, schemaId);
            }
            if (cause instanceof ApiException api && api.getResponseStatusCode() > 0) {
                return "Value on %s: the registry answered HTTP %d when asked for schema id %d"
                        .formatted(topic, api.getResponseStatusCode(), schemaId);
            }
        }
        return "Value on %s with schema id %d is not valid Avro for that schema: %s".formatted(topic, schemaId, failure);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
