package io.tally.tracksearch;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.TrackSearchRequested;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker with the YouTube adapter (WireMock as the Data API) and a budget of one search a day, on the real broker
 * and registry: the search over the budget is not sent, not retried, and its item fails with the reason, so the job
 * completes.
 */
@TallyServiceTest(properties = {
        "tally.search.adapter=youtube",
        "tally.search.youtube.api-key=quota-it-key",
        "tally.search.youtube.quota.daily-units=1",
        "tally.search.youtube.base-jitter=0ms",
        "tally.search.retry.attempts=3",
        "tally.search.retry.initial-delay=100ms",
        "tally.search.retry.max-delay=300ms"})
class YouTubeQuotaIntegrationTest {

    private static final WireMockServer YOUTUBE = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("tally.search.youtube.base-url", () -> YOUTUBE.baseUrl() + "/youtube/v3");
    }

    @Autowired
    KafkaTestClient kafka;

    @AfterAll
    static void stopYouTube() {
        YOUTUBE.stop();
    }

    @Test
    void theSearchOverTheDaysBudgetIsNotSentNotRetriedAndItsItemFailsWithTheReason() throws Exception {
        // Given YouTube finds a video for every search, and one search left today
        YOUTUBE.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(okJson("""
                {"items": [{"id": {"kind": "youtube#video", "videoId": "2Hlpm_7eKFw"}, "snippet": {"title": "A video"}}]}""")));
        // When a job asks for two tracks
        String jobId = "job-quota-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            for (String title : List.of("First", "Second")) {
                String trackKey = "track-" + title + "-" + UUID.randomUUID();
                producer.send(new ProducerRecord<>(Topics.SEARCH_REQUESTS.name(), trackKey, TrackSearchRequested.newBuilder()
                        .setJobId(jobId).setTrackKey(trackKey).setArtists(List.of("Artist")).setTitle(title)
                        .setRequestedAt(Instant.now()).build())).get();
            }
        }
        // Then the job gets both items: one found, one failed on its first attempt with the budget's reason
        List<ItemProcessed> items = kafka.await(Topics.ITEM_PROCESSED.name(), ItemProcessed.class,
                record -> jobId.equals(record.key()), 2, WAIT).stream().map(ConsumerRecord::value).toList();
        assertThat(items).extracting(ItemProcessed::getOutcome)
                .containsExactlyInAnyOrder(ItemOutcome.SUCCEEDED, ItemOutcome.FAILED);
        ItemProcessed failed = items.stream().filter(item -> item.getOutcome() == ItemOutcome.FAILED).findFirst().orElseThrow();
        assertThat(failed.getError()).contains("not sent: YouTube quota budget: 1 unit needed, 0 units left today "
                + "(resets 00:00 America/Los_Angeles)").doesNotContain("quota-it-key");
        assertThat(failed.getAttempt()).isEqualTo(1);
        // and YouTube was called once: the refused search was neither sent nor retried
        YOUTUBE.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/search")));
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        return server;
    }
}
