package io.tally.common.errors;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Names of the headers that carry the reason on dead-letter records. Kafka Streams (KIP-1034) and Spring Kafka's
 * {@code DeadLetterPublishingRecoverer} use different names; {@link #reason(Headers)} reads either.
 */
public final class DeadLetterHeaders {

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

    private DeadLetterHeaders() {
    }

    /** The reason a record was dead-lettered, or null if it carries none. */
    public static String reason(Headers headers) {
        String streams = text(headers.lastHeader(STREAMS_MESSAGE));
        return streams != null ? streams : text(headers.lastHeader(SPRING_MESSAGE));
    }

    /** The topic the record was first written to, or null if unknown. */
    public static String originalTopic(Headers headers) {
        String streams = text(headers.lastHeader(STREAMS_TOPIC));
        return streams != null ? streams : text(headers.lastHeader(SPRING_TOPIC));
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
