package io.tally.chartscraper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.chartscraper.source.BeatportPageParserTest;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskResult;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code scrape-chart} worker with the Beatport source against a real HTTP server (WireMock), on the real broker
 * and registry: the live page published and answered, an unavailable chart retried on the SDK's retry topics and then
 * dead-lettered with the reason, and a page that is not a chart failed at once without a retry.
 */
@TallyServiceTest(properties = {
        "tally.scraper.source=beatport",
        "tally.worker.retry.initial-delay=100ms"})
class ScrapeChartBeatportWorkerIntegrationTest {

    private static final String TYPE = ScrapeChartHandler.TASK_TYPE;
    private static final WireMockServer BEATPORT = new WireMockServer(options().dynamicPort());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        BEATPORT.start();
        properties.add("tally.scraper.beatport.base-url", BEATPORT::baseUrl);
    }

    @AfterAll
    static void stopBeatport() {
        BEATPORT.stop();
    }

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Test
    void publishesTheLiveGenreChartDatedByTheClockAndAnswersWithIt() throws Exception {
        // Given the site serves the fixture for the house chart, which carries no date of its own
        BEATPORT.stubFor(get("/genre/house/5/top-100").willReturn(aResponse().withStatus(200)
                .withBody(BeatportPageParserTest.fixture("top-100.html"))));
        String job = TaskRequests.newJob();
        LocalDate before = LocalDate.now(ZoneOffset.UTC);

        // When the engine asks for the latest house chart
        tasks.send(TYPE, job, "scrape", null, 1, input(job, "house/5"));

        // Then the task succeeds with the page's 12 tracks under the genre chart's key, dated today (UTC)
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement()
                .satisfies(record -> assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
        ScrapeChartOutput output = tasks.output(results.get(0).value(), ScrapeChartOutput.class);
        assertThat(output.getChartDate()).isBetween(before, LocalDate.now(ZoneOffset.UTC));
        assertThat(output.getSourceKey()).isEqualTo(Charts.sourceKey(output.getChartDate(), "house")).endsWith("/house-top100");
        assertThat(output.getChartName()).isEqualTo("Beatport House Top 100");
        assertThat(output.getSourceUrl()).isEqualTo(BEATPORT.baseUrl() + "/genre/house/5/top-100");
        assertThat(output.getTracks()).hasSize(12);
        // And the same chart is published under that key for the job
        assertThat(kafka.await(Topics.CHARTS_PUBLISHED.name(), ChartPublished.class,
                record -> record.value() != null && record.value().getJobId().equals(job), 1, WAIT))
                .singleElement().satisfies(chart -> {
                    assertThat(chart.key()).isEqualTo(output.getSourceKey());
                    assertThat(chart.value().getTracks()).isEqualTo(output.getTracks());
                });
    }

    @Test
    void retriesABlockedFetchThenDeadLettersTheTaskWithTheHttpStatusAndAnswersFailed() {
        // Given the site answers 403 to the overall chart
        BEATPORT.stubFor(get("/top-100").willReturn(aResponse().withStatus(403)));
        String job = TaskRequests.newJob();

        // When the engine asks for it
        tasks.send(TYPE, job, "scrape", null, 1, input(job, ScrapeChartHandler.TOP_100));

        // Then, after the SDK's 3 deliveries, one FAILED result says why and leaves the retry decision to the engine
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(record.value().getError().getMessage()).contains("HTTP 403");
            assertThat(record.value().getError().getRetryable()).isTrue();
        });
        BEATPORT.verify(3, getRequestedFor(urlEqualTo("/top-100")));
        // And the request is on the task type's dead-letter topic with that reason, for a redrive
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(TaskHeaders.deadLetterTopic(TYPE), job, WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("HTTP 403");
        // And nothing was published for the job
        assertThat(kafka.await(Topics.CHARTS_PUBLISHED.name(), ChartPublished.class,
                record -> record.value() != null && record.value().getJobId().equals(job), 0, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void failsAPageThatIsNotAChartAtOnceWithTheReasonAndNoRetry() throws Exception {
        // Given the site answers the techno chart with a page whose data holds no chart
        BEATPORT.stubFor(get("/genre/techno/6/top-100").willReturn(aResponse().withStatus(200)
                .withBody(BeatportPageParserTest.fixture("no-data.html"))));
        String job = TaskRequests.newJob();

        // When the engine asks for it
        tasks.send(TYPE, job, "scrape", null, 1, input(job, "techno/6"));

        // Then one FAILED result carries chart-format, not retryable (the definition does not retry it), and the reason
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(record.value().getError().getCode()).isEqualTo("chart-format");
            assertThat(record.value().getError().getRetryable()).isFalse();
            assertThat(record.value().getError().getMessage()).contains("state.data.results");
        });
        // And the page was fetched once: no retry topic, no dead letter
        BEATPORT.verify(1, getRequestedFor(urlEqualTo("/genre/techno/6/top-100")));
        assertThat(kafka.awaitRaw(TaskHeaders.deadLetterTopic(TYPE), KafkaTestClient.withKey(job), 1, Duration.ofSeconds(2)))
                .isEmpty();
    }

    private static ScrapeChartInput input(String job, String chart) {
        return ScrapeChartInput.newBuilder().setChart(chart).setDate(Charts.LATEST).setJobId(job)
                .setPipeline("beatport-chart").build();
    }
}
