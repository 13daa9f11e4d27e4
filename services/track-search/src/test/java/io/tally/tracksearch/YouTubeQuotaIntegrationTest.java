package io.tally.tracksearch;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code search-track} task with the YouTube adapter (WireMock as the Data API) and a budget of one search a day,
 * on the real broker and registry: the search over the budget is not sent, not retried, and its element fails at once
 * with the reason and the {@code quota-exceeded} code, so the engine does not wait for retries that cannot succeed.
 */
@TallyServiceTest(properties = {
        "tally.search.adapter=youtube",
        "tally.search.youtube.api-key=quota-it-key",
        "tally.search.youtube.quota.daily-units=1",
        "tally.search.youtube.base-jitter=0ms"})
class YouTubeQuotaIntegrationTest {

    private static final WireMockServer YOUTUBE = started();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("tally.search.youtube.base-url", () -> YOUTUBE.baseUrl() + "/youtube/v3");
    }

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @AfterAll
    static void stopYouTube() {
        YOUTUBE.stop();
    }

    @Test
    void theSearchOverTheDaysBudgetIsNotSentNotRetriedAndItsElementFailsAtOnceWithTheReason() {
        // Given YouTube finds a video for every search, and one search left today
        YOUTUBE.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(okJson("""
                {"items": [{"id": {"kind": "youtube#video", "videoId": "2Hlpm_7eKFw"}, "snippet": {"title": "A video"}}]}""")));
        // When a job's search stage sends two tracks, one after the other
        String jobId = TaskRequests.newJob();
        SearchTrackInput first = input("First");
        SearchTrackInput second = input("Second");
        tasks.send(SearchTrackHandler.TASK_TYPE, jobId, "search", first.getTrackKey(), 1, first);
        assertThat(tasks.results(jobId, 1)).hasSize(1);
        tasks.send(SearchTrackHandler.TASK_TYPE, jobId, "search", second.getTrackKey(), 1, second);

        // Then the first is found, and the second fails on its first delivery, not retryable, with the budget's reason
        List<TaskResult> results = tasks.results(jobId, 2).stream().map(ConsumerRecord::value).toList();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).getItemId()).isEqualTo(first.getTrackKey());
        assertThat(results.get(0).getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        assertThat(results.get(1)).satisfies(failed -> {
            assertThat(failed.getItemId()).isEqualTo(second.getTrackKey());
            assertThat(failed.getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(failed.getError().getCode()).isEqualTo(NonRetryableSearchException.QUOTA_EXCEEDED);
            assertThat(failed.getError().getRetryable()).isFalse();
            assertThat(failed.getError().getMessage()).contains("not sent: YouTube quota budget: 1 unit needed, "
                    + "0 units left today (resets 00:00 America/Los_Angeles)").doesNotContain("quota-it-key");
        });
        // And the tracks table records the refused search as FAILED, so a later chart asks again
        assertThat(kafka.await(Topics.TRACKS.name(), TrackResolved.class, KafkaTestClient.withKey(second.getTrackKey()), 1, WAIT))
                .singleElement().satisfies(row -> assertThat(row.value().getResolution()).isEqualTo(TrackResolution.FAILED));
        // And YouTube was called once: the refused search was neither sent nor retried, nor dead-lettered
        YOUTUBE.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/search")));
        assertThat(kafka.awaitRaw(TaskHeaders.deadLetterTopic(SearchTrackHandler.TASK_TYPE),
                KafkaTestClient.withKey(jobId), 1, Duration.ofSeconds(2))).isEmpty();
    }

    private static SearchTrackInput input(String title) {
        return SearchTrackInput.newBuilder().setTrackKey("track-" + title + "-" + UUID.randomUUID())
                .setArtists(List.of("Artist")).setTitle(title).setMix(null).build();
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        return server;
    }
}
