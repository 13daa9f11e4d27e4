package io.tally.common.errors;

import io.tally.common.topics.TopicSpec;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.springframework.kafka.retrytopic.DeadLetterPublishingRecovererFactory;
import org.springframework.kafka.retrytopic.DestinationTopicResolver;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicNamesProviderFactory;

/**
 * The Spring Kafka retry-topic components every Tally worker shares: the chain ends in the service's catalogue
 * dead-letter topic instead of Spring's {@code <topic>-dlt}, and each hop carries the reason in the header names
 * {@link DeadLetterHeaders} reads.
 */
public final class RetryTopicComponents {

    private RetryTopicComponents() {
    }

    /** Components whose chain ends in {@code deadLetters}, with the reason headers of {@link DeadLetterReasons}. */
    public static RetryTopicComponentFactory deadLetteringTo(TopicSpec<byte[]> deadLetters) {
        return deadLetteringTo(deadLetters, (record, failure) -> new org.apache.kafka.common.header.internals.RecordHeaders());
    }

    /**
     * As {@link #deadLetteringTo(TopicSpec)}, plus {@code extraHeaders} on every hop, for workers that carry progress
     * from one attempt to the next (such as the channels a notification already reached).
     */
    public static RetryTopicComponentFactory deadLetteringTo(TopicSpec<byte[]> deadLetters,
                                                             BiFunction<ConsumerRecord<?, ?>, Exception, Headers> extraHeaders) {
        String deadLetterTopic = deadLetters.name();
        return new RetryTopicComponentFactory() {
            @Override
            public RetryTopicNamesProviderFactory retryTopicNamesProviderFactory() {
                return new DeadLetterTopicNaming(deadLetterTopic);
            }

            @Override
            public DeadLetterPublishingRecovererFactory deadLetterPublishingRecovererFactory(
                    DestinationTopicResolver destinationTopicResolver) {
                DeadLetterPublishingRecovererFactory factory = super.deadLetterPublishingRecovererFactory(destinationTopicResolver);
                // The DLT has fewer partitions than the main topic: let the producer pick there; retry topics keep it.
                factory.setPartitionResolver((record, nextTopic) -> deadLetterTopic.equals(nextTopic) ? null : record.partition());
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
}
