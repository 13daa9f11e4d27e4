package io.tally.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskResult;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import io.tally.worker.testtasks.EchoInput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The SDK's maximum event age and dead-letter retention on a real broker and registry: the {@code echo} type takes
 * requests at most 300 s old (the seed's EventBridge {@code MaximumEventAge}) and its dead-letter topic keeps records
 * 7 days; the {@code contract} type has no age limit. Worker retries are on (3 deliveries), so a request that was
 * retried instead of dead-lettered at once would show as extra runs or a later result.
 */
@TallyServiceTest(properties = {
        "spring.application.name=echo-worker",
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "tally.worker.retry.attempts=3",
        "tally.worker.retry.initial-delay=200ms",
        "tally.worker.tasks.echo.max-event-age=300s",
        "tally.worker.dead-letter-retention=7d"})
class MaxEventAgeIntegrationTest {

    private static final String DEAD_LETTERS = TaskHeaders.deadLetterTopic(EchoWorkerApplication.TASK_TYPE);

    @Autowired
    KafkaTestClient kafka;
    @Autowired
    AvroSerdes serdes;

    @Test
    void deadLettersARequestOlderThanTheMaximumEventAgeWithoutRunningItAndAnswersFailedNotRetryable() throws Exception {
        // Given a request made 301 s ago, as a scheduled run that waited behind a broker outage
        String job = TaskRequests.newJob();
        String taskId = sendMadeAt(EchoWorkerApplication.TASK_TYPE, job, Instant.now().minusSeconds(301));

        // When the worker reads it
        List<ConsumerRecord<String, TaskResult>> results = new TaskRequests(kafka, serdes).results(job, 1);

        // Then the engine gets one FAILED result, not retryable, with the code max-event-age-exceeded
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(record.value().getError().getCode()).isEqualTo(MaxEventAgeExceededException.CODE);
            assertThat(record.value().getError().getRetryable()).isFalse();
        });
        // And the request is in the dead-letter topic with that reason, and the handler never ran it
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(DEAD_LETTERS, job, KafkaTestClient.WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("max-event-age-exceeded")
                .contains("older than the maximum event age of 300s");
        assertThat(new String(deadLetter.headers().lastHeader(TaskListener.ERROR_CODE_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo(MaxEventAgeExceededException.CODE);
        assertThat(EchoWorkerApplication.runs(taskId)).isZero();
        // And it went there from its first delivery, through no retry topic (waiting cannot make it younger): Spring's
        // attempts header counts the hop to the dead-letter topic, so 2 is one delivery (3 retries would make it 4)
        assertThat(TaskListener.deliveryAttempt(deadLetter.headers())).isEqualTo(2);
    }

    @Test
    void runsARequestYoungerThanTheMaximumEventAge() {
        // Given a request made 250 s ago, within the 300 s
        String job = TaskRequests.newJob();
        String taskId = sendMadeAt(EchoWorkerApplication.TASK_TYPE, job, Instant.now().minusSeconds(250));

        // When the worker reads it
        List<ConsumerRecord<String, TaskResult>> results = new TaskRequests(kafka, serdes).results(job, 1);

        // Then it ran and succeeded
        assertThat(results).singleElement().satisfies(record ->
                assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
        assertThat(EchoWorkerApplication.runs(taskId)).isEqualTo(1);
    }

    @Test
    void runsAnOldRequestOfATaskTypeWithoutAMaximumEventAge() {
        // Given a day-old request of the contract type, which has no limit (the default is none)
        String job = TaskRequests.newJob();
        sendMadeAt(EchoWorkerApplication.CONTRACT_ONLY_TYPE, job, Instant.now().minus(Duration.ofDays(1)));

        // When the worker reads it
        List<ConsumerRecord<String, TaskResult>> results = new TaskRequests(kafka, serdes).results(job, 1);

        // Then it ran and succeeded
        assertThat(results).singleElement().satisfies(record ->
                assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
    }

    @Test
    void createsTheDeadLetterTopicWithTheConfiguredRetention() throws Exception {
        // Given the worker started with tally.worker.dead-letter-retention=7d
        ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, DEAD_LETTERS);

        // When its task type's dead-letter topic is described
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Config config = admin.describeConfigs(List.of(deadLetters)).all().get().get(deadLetters);

            // Then it keeps records 7 days instead of the catalogue's 28
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
        }
    }

    /** A request with the engine's headers whose {@code ce_time} is {@code madeAt}; returns its task id. */
    private String sendMadeAt(String taskType, String job, Instant madeAt) {
        String taskId = TaskHeaders.taskId(job, "extract", null, 1);
        SpecificRecord input = EchoInput.newBuilder().setText("aged").build();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(TaskHeaders.requestTopic(taskType), null, job, input,
                    TaskHeaders.requestHeaders(taskType, job, "extract", null, 1, "tally/pipelines/test/1", madeAt,
                            Instant.now().plus(Duration.ofMinutes(5))))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return taskId;
    }
}
