package io.tally.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.common.errors.RetryTopicComponents;
import io.tally.common.topics.Topics;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;

/**
 * Where the retry chains end when a worker shares its application with retry topics of its own (one
 * RetryTopicComponentFactory per application), and the start-up check that catches a factory that forgets the tasks.
 */
class TaskRetryTopicsTest {

    /** Three deliveries, then the dead-letter topic: the SDK's default chain. */
    private static final RetryTopicConfiguration CHAIN = RetryTopicConfigurationBuilder.newInstance().maxAttempts(3)
            .create(new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of())));

    @Test
    void endsTaskChainsInTheirTypesDeadLetterTopicAndTheApplicationsChainsInItsOwn() {
        // Given the components of an application whose own listener (the notification service's delivery consumer)
        // dead-letters to its catalogue topic
        RetryTopicComponentFactory components = TaskRetryTopics.componentFactory(Topics.NOTIFICATION_SERVICE_DLT);

        // When the dead-letter topics of a task request topic and of the application's own topic are named
        String task = TaskRetryTopics.deadLetterTopic(components, CHAIN, "tally.tasks.search-track");
        String own = TaskRetryTopics.deadLetterTopic(components, CHAIN, Topics.NOTIFICATIONS_REQUESTED.name());

        // Then each chain ends in its own dead-letter topic, and the start-up check passes
        assertThat(task).isEqualTo("tally.dlt.tasks.search-track");
        assertThat(own).isEqualTo(Topics.NOTIFICATION_SERVICE_DLT.name());
        assertThatCode(() -> TaskRetryTopics.check(components, CHAIN, "search-track")).doesNotThrowAnyException();
    }

    @Test
    void refusesToStartATaskTypeWhoseChainAnotherFactoryEndsElsewhere() {
        // Given an application factory that sends every chain to its catalogue dead-letter topic, and Spring's default
        RetryTopicComponentFactory catalogueOnly = RetryTopicComponents.deadLetteringTo(
                mainTopic -> Topics.NOTIFICATION_SERVICE_DLT.name(), (record, failure) -> new RecordHeaders());
        RetryTopicComponentFactory springDefault = new RetryTopicComponentFactory();

        // When the SDK checks a task type against them, then it fails naming the fix
        assertThatThrownBy(() -> TaskRetryTopics.check(catalogueOnly, CHAIN, "search-track"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in tally.dlt.notification-service instead of tally.dlt.tasks.search-track")
                .hasMessageContaining("TaskRetryTopics.componentFactory");
        assertThatThrownBy(() -> TaskRetryTopics.check(springDefault, CHAIN, "search-track"))
                .hasMessageContaining("tally.tasks.search-track-dlt");
    }
}
