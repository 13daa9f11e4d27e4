package io.tally.common.errors;

import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.springframework.kafka.retrytopic.DeadLetterPublishingRecovererFactory;
import org.springframework.kafka.retrytopic.DestinationTopicResolver;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicNamesProviderFactory;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The Spring Kafka retry-topic components every Tally worker shares: the chain ends in the dead-letter topic Tally
 * names ({@code tally.dlt.tasks.<type>}, or a service's catalogue one) instead of Spring's {@code <topic>-dlt}, and
 * each hop carries the reason in the header names {@link DeadLetterHeaders} reads.
 */
public final class RetryTopicComponents {

    private RetryTopicComponents() {
    }

    /**
     * Components whose chain ends in the dead-letter topic {@code deadLetterTopicOf} names for its main topic (the
     * worker SDK ends the chain of {@code tally.tasks.<type>} in {@code tally.dlt.tasks.<type>}), with the reason
     * headers of {@link DeadLetterReasons} plus {@code extraHeaders} on every hop, for workers that carry progress
     * from one attempt to the next (such as the channels a notification already reached).
     */
    public static RetryTopicComponentFactory deadLetteringTo(UnaryOperator<String> deadLetterTopicOf,
                                                             BiFunction<ConsumerRecord<?, ?>, Exception, Headers> extraHeaders) {
        return new RetryTopicComponentFactory() {
            @Override
            public RetryTopicNamesProviderFactory retryTopicNamesProviderFactory() {
                return new DeadLetterTopicNaming(deadLetterTopicOf);
            }

            @Override
            public DeadLetterPublishingRecovererFactory deadLetterPublishingRecovererFactory(
                    DestinationTopicResolver destinationTopicResolver) {
                DeadLetterPublishingRecovererFactory factory = super.deadLetterPublishingRecovererFactory(destinationTopicResolver);
                // The DLT has fewer partitions than the main topic: let the producer pick there; retry topics keep it.
                factory.setPartitionResolver((record, nextTopic) ->
                        nextTopic.equals(deadLetterTopicOf.apply(mainTopic(record))) ? null : record.partition());
                // Retry topics write kafka_exception-message / kafka_original-topic; the catalogue's readers
                // (DeadLetterHeaders) look for the kafka_dlt-* names, so add those too, with the unwrapped reason.
                factory.setHeadersFunction((record, failure) -> {
                    Headers headers = DeadLetterReasons.headers(record, failure);
                    for (Header header : extraHeaders.apply(record, failure)) {
                        headers.add(header);
                    }
                    return headers;
                });
                return factory;
            }
        };
    }

    /** The topic a record was first written to: Spring's original-topic header on retry topics, else its own. */
    private static String mainTopic(ConsumerRecord<?, ?> record) {
        Header original = record.headers().lastHeader(KafkaHeaders.ORIGINAL_TOPIC);
        return original != null && original.value() != null
                ? new String(original.value(), StandardCharsets.UTF_8) : record.topic();
    }
}
