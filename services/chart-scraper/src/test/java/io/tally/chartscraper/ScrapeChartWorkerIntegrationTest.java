package io.tally.chartscraper;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ItemOutcome;
import io.tally.events.StageReported;
import io.tally.events.TaskResult;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The scraper as the worker of the {@code scrape-chart} task on the real broker and registry with the sample source:
 * requests as the engine sends them, TaskResults on {@code tally.tasks.results}, the chart published first, a
 * redelivered task republishing the same chart under the same key, and a request that is not the engine's
 * dead-lettered with the reason.
 */
@TallyServiceTest
class ScrapeChartWorkerIntegrationTest {

    private static final String TYPE = ScrapeChartHandler.TASK_TYPE;
    private static final String SAMPLE_EDITION = "beatport/2026/01/25/top100";

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Test
    void answersWithTheSampleChartAfterPublishingItAsTheEdition() {
        // Given a scrape task of the latest overall chart
        String job = TaskRequests.newJob();

        // When the engine sends it
        String taskId = tasks.send(TYPE, job, "scrape", null, 1, input(job));

        // Then one SUCCEEDED result answers with the sample edition and its 100 tracks
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getTaskType()).isEqualTo(TYPE);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        ScrapeChartOutput output = tasks.output(results.get(0).value(), ScrapeChartOutput.class);
        assertThat(output.getSourceKey()).isEqualTo(SAMPLE_EDITION);
        assertThat(output.getChartDate()).isEqualTo(LocalDate.of(2026, 1, 25));
        assertThat(output.getTracks()).hasSize(100);
        // And the edition was published under its source key for this job before the result
        List<ConsumerRecord<String, ChartPublished>> charts = published(job, 1);
        assertThat(charts).singleElement().satisfies(chart -> {
            assertThat(chart.key()).isEqualTo(SAMPLE_EDITION);
            assertThat(chart.value().getTracks()).isEqualTo(output.getTracks());
            assertThat(chart.timestamp()).isLessThanOrEqualTo(results.get(0).timestamp());
        });
        // And no scrape stage is reported: the engine learns the stage's end from the result
        assertThat(kafka.await(Topics.STAGE_REPORTED.name(), StageReported.class, KafkaTestClient.withKey(job), 0,
                Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void republishesTheSameChartForARedeliveredTaskAndAnswersItAlike() {
        // Given the same scrape task (same task id) delivered twice, as after a crash before the commit
        String job = TaskRequests.newJob();
        String taskId = tasks.send(TYPE, job, "scrape", null, 1, input(job));
        tasks.send(TYPE, job, "scrape", null, 1, input(job));

        // When both have been answered
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 2);

        // Then both results are SUCCEEDED for the one task with the same output, for the engine to count once
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        assertThat(tasks.output(results.get(1).value(), ScrapeChartOutput.class))
                .isEqualTo(tasks.output(results.get(0).value(), ScrapeChartOutput.class));
        // And the edition was republished under the same key with the same tracks, which compaction keeps once
        List<ConsumerRecord<String, ChartPublished>> charts = published(job, 2);
        assertThat(charts).hasSize(2).extracting(ConsumerRecord::key).containsOnly(SAMPLE_EDITION);
        assertThat(charts.get(1).value().getTracks()).isEqualTo(charts.get(0).value().getTracks());
    }

    @Test
    void deadLettersARequestWithoutHeadersToTheTaskTypesTopicWithTheReason() throws Exception {
        // Given a scrape request without any ce_* header (not the engine's), keyed by a job
        String job = TaskRequests.newJob();

        // When it arrives on the task's request topic
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(TaskHeaders.requestTopic(TYPE), job, input(job))).get();
        }

        // Then the SDK's retry-topic handler dead-letters it to tally.dlt.tasks.scrape-chart with the missing header
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(TaskHeaders.deadLetterTopic(TYPE), job, WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("no ce_specversion header");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(TaskHeaders.requestTopic(TYPE));
        // And no result was written: the request named no task for the engine to count
        assertThat(kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class, KafkaTestClient.withKey(job), 1,
                Duration.ofSeconds(2))).isEmpty();
    }

    private List<ConsumerRecord<String, ChartPublished>> published(String job, int expected) {
        return kafka.await(Topics.CHARTS_PUBLISHED.name(), ChartPublished.class,
                record -> record.value() != null && record.value().getJobId().equals(job), expected, WAIT);
    }

    private static ScrapeChartInput input(String job) {
        return ScrapeChartInput.newBuilder().setChart(ScrapeChartHandler.TOP_100).setDate(Charts.LATEST).setJobId(job)
                .setPipeline("beatport-chart").build();
    }
}
