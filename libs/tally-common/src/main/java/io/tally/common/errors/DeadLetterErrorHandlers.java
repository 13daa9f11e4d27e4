package io.tally.common.errors;

import io.tally.common.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;

/**
 * The error handler of Tally's Spring Kafka consumers: retry in place with the given back-off, then publish the
 * record to the service's dead-letter topic with Spring's {@code kafka_dlt-*} headers (original topic, partition,
 * offset, exception and message) and move on. Records that cannot be read and {@link PoisonRecordException}s are
 * not retried: retrying cannot fix them.
 */
public final class DeadLetterErrorHandlers {

    private DeadLetterErrorHandlers() {
    }

    /**
     * @param template     a template whose value serializer takes both Avro records and raw bytes
     *                     ({@code AvroSerdes.recordOrBytesSerializer()}, which the shared auto-configuration installs)
     * @param deadLetters  the service's dead-letter topic from the catalogue
     * @param backOff      how to retry transient failures before giving up
     */
    public static DefaultErrorHandler publishingTo(KafkaOperations<?, ?> template, TopicSpec<byte[]> deadLetters, BackOff backOff) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(deadLetters.name(), -1));
        // Spring's own message header says only "Listener failed" or "failed to deserialize"; the cause says why.
        recoverer.addHeadersFunction((record, exception) -> new RecordHeaders(List.of(new RecordHeader(
                DeadLetterHeaders.TALLY_REASON, reason(exception).getBytes(StandardCharsets.UTF_8)))));
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(PoisonRecordException.class);
        return handler;
    }

    /**
     * The message of the first cause that is not one of Spring Kafka's wrappers ("Listener failed", "failed to
     * deserialize"): the application's own exception (or the deserializer's), which names the actual problem. Used
     * for every dead letter of a Spring Kafka service, retry topics included.
     */
    public static String reason(Throwable failure) {
        Throwable cause = failure;
        while (cause.getClass().getName().startsWith("org.springframework.kafka.") && cause.getCause() != null
                && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getName() : message;
    }
}
