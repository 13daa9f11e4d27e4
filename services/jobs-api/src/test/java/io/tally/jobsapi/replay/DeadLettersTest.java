package io.tally.jobsapi.replay;

import static org.assertj.core.api.Assertions.assertThat;

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
        // Given headers naming a retry topic, a Streams origin, an unknown topic and a dead-letter topic
        // When the original topic is resolved, then only catalogue input topics come back
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", "tally.search.requests-retry-2000")))
                .isEqualTo(Topics.SEARCH_REQUESTS.name());
        assertThat(DeadLetters.originalTopic(headers("__streams.errors.topic", Topics.ITEM_PROCESSED.name())))
                .isEqualTo(Topics.ITEM_PROCESSED.name());
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", "somebody.else"))).isNull();
        assertThat(DeadLetters.originalTopic(headers("kafka_dlt-original-topic", Topics.TRACK_SEARCH_DLT.name()))).isNull();
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
