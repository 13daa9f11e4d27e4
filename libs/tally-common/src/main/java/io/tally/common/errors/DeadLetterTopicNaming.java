package io.tally.common.errors;

import java.util.function.UnaryOperator;
import org.springframework.kafka.config.KafkaListenerEndpoint;
import org.springframework.kafka.retrytopic.DestinationTopic;
import org.springframework.kafka.retrytopic.RetryTopicNamesProviderFactory;
import org.springframework.kafka.retrytopic.SuffixingRetryTopicNamesProviderFactory.SuffixingRetryTopicNamesProvider;

/**
 * Names the dead-letter topic of the retry chain the Tally way ({@code tally.dlt.tasks.search-track}, or a service's
 * catalogue topic such as {@code tally.dlt.notification-service}) instead of Spring's {@code <topic>-dlt}; retry
 * topics, group ids and listener ids keep Spring's suffixes.
 */
public final class DeadLetterTopicNaming implements RetryTopicNamesProviderFactory {

    private final UnaryOperator<String> deadLetterTopicOf;

    /** Each chain ends in the topic {@code deadLetterTopicOf} names for its main topic (one DLT per task type). */
    public DeadLetterTopicNaming(UnaryOperator<String> deadLetterTopicOf) {
        this.deadLetterTopicOf = deadLetterTopicOf;
    }

    @Override
    public RetryTopicNamesProvider createRetryTopicNamesProvider(DestinationTopic.Properties properties) {
        SuffixingRetryTopicNamesProvider suffixing = new SuffixingRetryTopicNamesProvider(properties);
        if (!properties.isDltTopic()) {
            return suffixing;
        }
        return new RetryTopicNamesProvider() {
            @Override
            public String getEndpointId(KafkaListenerEndpoint endpoint) {
                return suffixing.getEndpointId(endpoint);
            }

            @Override
            public String getGroupId(KafkaListenerEndpoint endpoint) {
                return suffixing.getGroupId(endpoint);
            }

            @Override
            public String getClientIdPrefix(KafkaListenerEndpoint endpoint) {
                return suffixing.getClientIdPrefix(endpoint);
            }

            @Override
            public String getGroup(KafkaListenerEndpoint endpoint) {
                return suffixing.getGroup(endpoint);
            }

            @Override
            public String getTopicName(String topic) {
                return deadLetterTopicOf.apply(topic);
            }
        };
    }
}
