package io.tally.tracksearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterTopicNaming;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.retrytopic.DestinationTopic;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;

/** The retry chain built from the defaults: which errors are retried, the delays, and the DLT name. */
class RetryPolicyTest {

    private final SearchProperties defaults = new SearchProperties(SearchProperties.Adapter.OFFLINE,
            new SearchProperties.Retry(4, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30)),
            new SearchProperties.Offline(List.of(), List.of(), 0),
            new SearchProperties.YouTube("http://unused", "", 5, Duration.ZERO, Duration.ofSeconds(30),
                    Duration.ofSeconds(1), Duration.ofSeconds(1)),
            Duration.ofSeconds(5));

    private final RetryTopicConfiguration configuration = new TrackSearchConfiguration().searchRetryTopics(
            new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of())), defaults,
            new TallyKafkaProperties("http://unused", true, 6, (short) 1, true));

    @Test
    void retriesAdapterFailuresButNeverNonRetryableOrPoisonOnes() {
        // Given the main topic's destination rules
        DestinationTopic main = new DestinationTopic(Topics.SEARCH_REQUESTS.name(),
                configuration.getDestinationTopicProperties().get(0));
        // When failures arrive wrapped as the listener container wraps them, then only retryable ones are retried
        assertThat(main.shouldRetryOn(1, wrapped(new RetryableSearchException("503")))).isTrue();
        assertThat(main.shouldRetryOn(1, wrapped(new NonRetryableSearchException("400")))).isFalse();
        assertThat(main.shouldRetryOn(1, wrapped(new PoisonRecordException("no job id")))).isFalse();
    }

    @Test
    void usesExponentialDelaysOfOneTwoAndFourSecondsThenTheDeadLetterTopic() {
        // When the destinations of the default policy (4 attempts) are listed
        List<DestinationTopic.Properties> destinations = configuration.getDestinationTopicProperties();
        // Then there are three retries with growing delays and one dead-letter destination last
        assertThat(destinations).extracting(DestinationTopic.Properties::delay).containsExactly(0L, 1000L, 2000L, 4000L, 0L);
        assertThat(destinations.get(destinations.size() - 1).isDltTopic()).isTrue();
    }

    @Test
    void namesTheDeadLetterTopicAfterTheCatalogueAndKeepsSpringsRetryNames() {
        // Given the naming used by the worker
        DeadLetterTopicNaming naming = new DeadLetterTopicNaming(Topics.TRACK_SEARCH_DLT.name());
        List<DestinationTopic.Properties> destinations = configuration.getDestinationTopicProperties();
        // When the topic names are derived from the requests topic
        String dlt = naming.createRetryTopicNamesProvider(destinations.get(destinations.size() - 1))
                .getTopicName(Topics.SEARCH_REQUESTS.name());
        String firstRetry = naming.createRetryTopicNamesProvider(destinations.get(1))
                .getTopicName(Topics.SEARCH_REQUESTS.name());
        // Then the DLT is the catalogue's and retry topics keep the "-retry" prefix the catalogue deserializer knows
        assertThat(dlt).isEqualTo("tally.dlt.track-search");
        assertThat(firstRetry).startsWith(Topics.SEARCH_REQUESTS.name() + "-retry");
        assertThat(Topics.recordTypeOf(firstRetry)).isEqualTo(io.tally.events.TrackSearchRequested.class);
    }

    private static ListenerExecutionFailedException wrapped(RuntimeException cause) {
        return new ListenerExecutionFailedException("Listener method threw exception", cause);
    }
}
