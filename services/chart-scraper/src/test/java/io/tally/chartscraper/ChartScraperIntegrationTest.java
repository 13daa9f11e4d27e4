package io.tally.chartscraper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The scraper as a whole service with the offline sample source, on a real broker and registry. */
@TallyServiceTest(properties = {
        "tally.scraper.retry.initial-interval=100ms"})
class ChartScraperIntegrationTest {

    @Autowired
    KafkaTestClient kafka;

    private Topics4Test topics;

    @BeforeEach
    void helper() {
        topics = new Topics4Test(kafka);
    }

    @Test
    void publishesTheSampleChartWithOneHundredTracksAndReportsTheScrapeStage() throws Exception {
        // Given a trigger of the chart pipeline
        String id = UUID.randomUUID().toString();
        // When it arrives
        topics.sendTrigger(Topics4Test.trigger(id, "beatport-chart", Map.of()));
        // Then one chart with the 100 sample tracks is published under its source key
        List<ConsumerRecord<String, ChartPublished>> charts = topics.await(Topics.CHARTS_PUBLISHED.name(),
                ChartPublished.class, chart -> chart.getJobId().equals("job-" + id), 1);
        assertThat(charts).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("beatport/2026/01/25/top100").isEqualTo(record.value().getSourceKey());
            assertThat(record.value().getTracks()).hasSize(100);
            assertThat(record.value().getTriggerId()).isEqualTo("manual:" + id);
            assertThat(record.value().getTracks().get(18).getArtists()).containsExactly("Walker & Royce", "VNSSA");
        });
        // And the scrape stage is reported RUNNING, then SUCCEEDED with done = total = 100 and the source key
        List<ConsumerRecord<String, StageReported>> reports = topics.await(Topics.STAGE_REPORTED.name(),
                StageReported.class, report -> report.getJobId().equals("job-" + id), 2);
        assertThat(reports).extracting(r -> r.value().getState()).containsExactly(StageState.RUNNING, StageState.SUCCEEDED);
        StageReported done = reports.get(1).value();
        assertThat(done.getStage()).isEqualTo("scrape");
        assertThat(done.getDone()).isEqualTo(100);
        assertThat(done.getTotal()).isEqualTo(100);
        assertThat(done.getDetail()).isEqualTo("beatport/2026/01/25/top100");
        assertThat(reports).allSatisfy(r -> assertThat(r.key()).isEqualTo("job-" + id));
    }

    @Test
    void consumesTriggersInTheTallyChartScraperGroup() throws Exception {
        // When the running service's consumer groups are listed
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<String> groups = await("the scraper's consumer group").atMost(Duration.ofSeconds(30))
                    .until(() -> admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId)
                            .toList(), listed -> listed.contains("tally-chart-scraper"));
            // Then the listener uses the configured group, not its listener id
            assertThat(groups).contains("tally-chart-scraper").doesNotContain("chart-scraper");
        }
    }

    @Test
    void ignoresTriggersOfOtherPipelines() throws Exception {
        // Given a trigger of another pipeline, followed by one of the chart pipeline
        String other = UUID.randomUUID().toString();
        String chart = UUID.randomUUID().toString();
        topics.sendTrigger(Topics4Test.trigger(other, "daily-report", Map.of()));
        topics.sendTrigger(Topics4Test.trigger(chart, "beatport-chart", Map.of("date", "2026-02-01")));
        // When the chart trigger has been handled
        assertThat(topics.await(Topics.CHARTS_PUBLISHED.name(), ChartPublished.class,
                c -> c.getJobId().equals("job-" + chart), 1)).singleElement()
                .satisfies(r -> assertThat(r.key()).isEqualTo("beatport/2026/02/01/top100"));
        // Then nothing was published or reported for the other pipeline
        assertThat(topics.await(Topics.CHARTS_PUBLISHED.name(), ChartPublished.class,
                c -> c.getJobId().equals("job-" + other), 0)).isEmpty();
        assertThat(topics.await(Topics.STAGE_REPORTED.name(), StageReported.class,
                r -> r.getJobId().equals("job-" + other), 0)).isEmpty();
    }

    @Test
    void republishesTheSameChartUnderTheSameKeyWhenATriggerIsRedelivered() throws Exception {
        // Given one trigger delivered twice
        String id = UUID.randomUUID().toString();
        var trigger = Topics4Test.trigger(id, "beatport-chart", Map.of("date", "2026-03-01"));
        topics.sendTrigger(trigger);
        topics.sendTrigger(trigger);
        // When both are handled
        List<ConsumerRecord<String, ChartPublished>> charts = topics.await(Topics.CHARTS_PUBLISHED.name(),
                ChartPublished.class, c -> c.getJobId().equals("job-" + id), 2);
        // Then both copies carry the same key and job, so compaction and the processor's dedupe keep one chart
        assertThat(charts).hasSize(2).extracting(ConsumerRecord::key).containsOnly("beatport/2026/03/01/top100");
        assertThat(charts.get(0).value().getTracks()).isEqualTo(charts.get(1).value().getTracks());
    }

    @Test
    void deadLettersAPoisonRecordWithItsReasonAndKeepsScraping() throws Exception {
        // Given a record that is not Avro on the trigger topic, then a good trigger
        String poisonKey = "poison-" + UUID.randomUUID();
        String id = UUID.randomUUID().toString();
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), poisonKey,
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        topics.sendTrigger(Topics4Test.trigger(id, "beatport-chart", Map.of()));
        // When both have been consumed
        // Then the poison record is on the dead-letter topic, unchanged, with its reason and original topic
        List<ConsumerRecord<String, byte[]>> deadLetters = topics.awaitRaw(Topics.CHART_SCRAPER_DLT.name(),
                record -> poisonKey.equals(record.key()), 1);
        assertThat(deadLetters).singleElement().satisfies(record -> {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            // Spring's ErrorHandlingDeserializer puts "failed to deserialize" in the message header; the explained
            // cause (from tally-common's deserializer) travels in the stack-trace header.
            assertThat(DeadLetterHeaders.reason(record.headers())).isNotBlank();
            assertThat(new String(record.headers().lastHeader("kafka_dlt-exception-stacktrace").value(),
                    StandardCharsets.UTF_8)).contains("does not start with magic byte");
            assertThat(DeadLetterHeaders.originalTopic(record.headers())).isEqualTo(Topics.PIPELINE_TRIGGERS.name());
        });
        // And the good trigger behind it is still scraped
        assertThat(topics.await(Topics.CHARTS_PUBLISHED.name(), ChartPublished.class,
                c -> c.getJobId().equals("job-" + id), 1)).hasSize(1);
    }

    @Test
    void deadLettersATriggerWithAMalformedParameterAndReportsTheStageFailed() throws Exception {
        // Given a chart trigger whose date parameter is not a date
        String id = UUID.randomUUID().toString();
        // When it arrives
        topics.sendTrigger(Topics4Test.trigger(id, "beatport-chart", Map.of("date", "yesterday")));
        // Then it is dead-lettered with the reason, and the scrape stage is reported FAILED with it
        List<ConsumerRecord<String, byte[]>> deadLetters = topics.awaitRaw(Topics.CHART_SCRAPER_DLT.name(),
                record -> ("manual:" + id).equals(record.key()), 1);
        assertThat(deadLetters).singleElement().satisfies(record ->
                assertThat(DeadLetterHeaders.reason(record.headers())).contains("date='yesterday'"));
        List<ConsumerRecord<String, StageReported>> reports = topics.await(Topics.STAGE_REPORTED.name(),
                StageReported.class, report -> report.getJobId().equals("job-" + id), 2);
        assertThat(reports).extracting(r -> r.value().getState()).containsExactly(StageState.RUNNING, StageState.FAILED);
        assertThat(reports.get(1).value().getDetail()).contains("yyyy-MM-dd");
    }
}
