package io.tally.jobsapi.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Where a dead letter goes back to, and which of its headers it keeps. */
class DeadLettersTest {

    @Test
    void mapsARetryTopicToItsMainTopicAndRefusesUnknownOrDeadLetterOrigins() {
        // Given headers naming a catalogue retry topic, a task type's retry topic, a Streams origin, an unknown topic
        // and dead-letter topics
        // When the original topic is resolved, then only catalogue input topics and task request topics come back
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", "tally.notifications.requested-retry-2000")))
                .isEqualTo(Topics.NOTIFICATIONS_REQUESTED.name());
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", "tally.tasks.search-track-retry-2000")))
                .isEqualTo(TaskHeaders.requestTopic("search-track"));
        assertThat(DeadLetters.originalTopic(headers("__streams.errors.topic", Topics.ITEM_PROCESSED.name())))
                .isEqualTo(Topics.ITEM_PROCESSED.name());
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", "somebody.else"))).isNull();
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", Topics.NOTIFICATION_SERVICE_DLT.name()))).isNull();
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", TaskHeaders.deadLetterTopic("search-track"))))
                .isNull();
        assertThat(DeadLetters.originalTopic(new RecordHeaders())).isNull();
    }

    @Test
    void dropsOnlyTheErrorHeaders() {
        // Given headers of every error family plus retry bookkeeping and an application header
        Headers headers = headers("__streams.errors.message", "x", "kafka_dlt-original-topic", "x",
                "kafka_exception-stacktrace", "x", "tally_dlt-reason", "x", "retry_topic-attempts", "x",
                "kafka_original-topic", "x", "trace-id", "x");
        // When the error headers are removed
        List<String> kept = new ArrayList<>();
        DeadLetters.withoutErrorHeaders(headers).forEach(header -> kept.add(header.key()));
        // Then the bookkeeping and the application header stay
        assertThat(kept).containsExactly("retry_topic-attempts", "kafka_original-topic", "trace-id");
    }

    private static Headers headers(String... namesAndValues) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }
}
