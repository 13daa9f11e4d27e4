package io.tally.chartscraper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.chartscraper.source.BeatportPageParserTest;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The scraper with the Beatport source against a real HTTP server (WireMock): success, and retries that give up. */
@TallyServiceTest(properties = {
        "tally.scraper.source=beatport",
        "tally.scraper.retry.initial-interval=100ms"})
class ChartScraperBeatportIntegrationTest {

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

    @Test
    void publishesTheLiveChartDatedByTheTrigger() throws Exception {
        // Given the site serves the fixture for the house chart
        BEATPORT.stubFor(get("/genre/house/5/top-100").willReturn(aResponse().withStatus(200)
                .withBody(BeatportPageParserTest.fixture("top-100.html"))));
        String id = UUID.randomUUID().toString();
        var trigger = Topics4Test.trigger(id, "beatport-chart", Map.of("genre", "house/5"));
        // When a trigger for it arrives
        new Topics4Test(kafka).sendTrigger(trigger);
        // Then the genre chart is published under the trigger's date, with the page's tracks and URL
        LocalDate date = LocalDate.ofInstant(trigger.getTriggeredAt(), ZoneOffset.UTC);
        List<ConsumerRecord<String, ChartPublished>> charts = new Topics4Test(kafka).await(
                Topics.CHARTS_PUBLISHED.name(), ChartPublished.class, c -> c.getJobId().equals("job-" + id), 1);
        assertThat(charts).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(Charts.sourceKey(date, "house")).endsWith("/house-top100");
            assertThat(record.value().getChartName()).isEqualTo("Beatport House Top 100");
            assertThat(record.value().getTracks()).hasSize(12);
            assertThat(record.value().getSourceUrl()).isEqualTo(BEATPORT.baseUrl() + "/genre/house/5/top-100");
        });
    }

    @Test
    void retriesABlockedFetchThenDeadLettersTheTriggerAndReportsTheStageFailed() throws Exception {
        // Given the site answers 403 to the overall chart
        BEATPORT.stubFor(get("/top-100").willReturn(aResponse().withStatus(403)));
        String id = UUID.randomUUID().toString();
        Topics4Test topics = new Topics4Test(kafka);
        // When a trigger arrives
        topics.sendTrigger(Topics4Test.trigger(id, "beatport-chart", Map.of()));
        // Then after 3 attempts it is dead-lettered with the HTTP status as the reason
        List<ConsumerRecord<String, byte[]>> deadLetters = topics.awaitRaw(Topics.CHART_SCRAPER_DLT.name(),
                record -> ("manual:" + id).equals(record.key()), 1);
        assertThat(deadLetters).singleElement().satisfies(record ->
                assertThat(DeadLetterHeaders.reason(record.headers())).contains("HTTP 403"));
        BEATPORT.verify(3, getRequestedFor(urlEqualTo("/top-100")));
        // And the stage ends FAILED with that reason (RUNNING is reported once per attempt)
        List<ConsumerRecord<String, StageReported>> reports = topics.await(Topics.STAGE_REPORTED.name(),
                StageReported.class, report -> report.getJobId().equals("job-" + id), 4);
        assertThat(reports).extracting(r -> r.value().getState()).containsExactly(
                StageState.RUNNING, StageState.RUNNING, StageState.RUNNING, StageState.FAILED);
        assertThat(reports.get(3).value().getDetail()).contains("HTTP 403");
    }
}
