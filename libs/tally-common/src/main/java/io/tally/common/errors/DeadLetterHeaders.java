package io.tally.common.errors;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Names of the headers that carry the reason on dead-letter records. Kafka Streams (KIP-1034), Spring Kafka's
 * {@code DeadLetterPublishingRecoverer} and its retry topics use different names; {@link #reason(Headers)} reads each.
 */
public final class DeadLetterHeaders {

    /** Tally's Spring Kafka error handler: the root cause's message, the most precise reason. */
    public static final String TALLY_REASON = "tally_dlt-reason";
    /** Kafka Streams: the exception message, i.e. the reason. */
    public static final String STREAMS_MESSAGE = "__streams.errors.message";
    /** Kafka Streams: the exception class. */
    public static final String STREAMS_EXCEPTION = "__streams.errors.exception";
    /** Kafka Streams: topic, partition and offset of the original record. */
    public static final String STREAMS_TOPIC = "__streams.errors.topic";
    public static final String STREAMS_PARTITION = "__streams.errors.partition";
    public static final String STREAMS_OFFSET = "__streams.errors.offset";
    /** Spring Kafka: the exception message, i.e. the reason. */
    public static final String SPRING_MESSAGE = "kafka_dlt-exception-message";
    /** Spring Kafka: the original topic. */
    public static final String SPRING_TOPIC = "kafka_dlt-original-topic";
    /** Spring Kafka retry topics: the exception message and the original topic. */
    public static final String RETRY_MESSAGE = "kafka_exception-message";
    public static final String RETRY_TOPIC = "kafka_original-topic";

    private DeadLetterHeaders() {
    }

    /** The reason a record was dead-lettered, or null if it carries none. */
    public static String reason(Headers headers) {
        return first(headers, TALLY_REASON, STREAMS_MESSAGE, SPRING_MESSAGE, RETRY_MESSAGE);
    }

    /** The topic the record was first written to, or null if unknown. */
    public static String originalTopic(Headers headers) {
        return first(headers, STREAMS_TOPIC, SPRING_TOPIC, RETRY_TOPIC);
    }

    private static String first(Headers headers, String... names) {
        for (String name : names) {
            String value = text(headers.lastHeader(name));
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
