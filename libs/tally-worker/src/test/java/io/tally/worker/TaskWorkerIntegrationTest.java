package io.tally.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobCancelled;
import io.tally.events.TaskProgress;
import io.tally.events.TaskResult;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import io.tally.worker.testtasks.EchoInput;
import io.tally.worker.testtasks.EchoOutput;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * The SDK on a real broker and registry: task requests with CloudEvents headers in, TaskResults (and dead letters)
 * out. Retries are fast (200 ms, 3 deliveries) and {@code max.poll.interval.ms} is 3 s, so a 7 s task would cost a
 * plain synchronous listener its partitions.
 */
@TallyServiceTest(properties = {
        "spring.application.name=echo-worker",
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.kafka.consumer.properties.max.poll.interval.ms=3000",
        "tally.worker.retry.attempts=3",
        "tally.worker.retry.initial-delay=200ms",
        "tally.worker.retry.multiplier=2",
        "tally.worker.retry.max-delay=1s"})
class TaskWorkerIntegrationTest {

    private static final String REQUESTS = TaskHeaders.requestTopic(EchoWorkerApplication.TASK_TYPE);
    private static final String DEAD_LETTERS = "tally.dlt.tasks." + EchoWorkerApplication.TASK_TYPE;
    private static final Duration WAIT = KafkaTestClient.WAIT;

    @Autowired
    KafkaTestClient kafka;
    @Autowired
    AvroSerdes serdes;
    @Autowired
    CancelledJobs cancelledJobs;
    @Autowired
    MeterRegistry meters;
    @Value("${tally.kafka.registry-url}")
    String registryUrl;

    @Test
    void writesOneSucceededResultWhoseOutputDecodesToTheHandlersOutput() throws Exception {
        // Given a request for the echo task
        String job = TaskRequests.newJob();
        String taskId = send(job, "extract", null, 1, EchoInput.newBuilder().setText("hello").build());

        // When the worker has run it
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 1);

        // Then there is one SUCCEEDED result for it, keyed by the job, with the handler's output framed for the registry
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(job);
            TaskResult result = record.value();
            assertThat(result.getTaskId()).isEqualTo(taskId);
            assertThat(result.getStage()).isEqualTo("extract");
            assertThat(result.getAttempt()).isEqualTo(1);
            assertThat(result.getTaskType()).isEqualTo("echo");
            assertThat(result.getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
            assertThat(result.getError()).isNull();
            assertThat(result.getWorker()).startsWith("echo-worker-");
            assertThat(result.getStartedAt()).isBeforeOrEqualTo(result.getEndedAt());
            assertThat(decode(result)).isEqualTo(new EchoOutput("HELLO", 1));
        });
        // And the output schema is registered under tally.tasks.echo.output, as ADR 0016 says
        assertThat(registryStatus("/groups/default/artifacts/" + TaskHeaders.outputSubject("echo"))).isEqualTo(200);
        assertThat(meters.get(WorkerMetrics.TASKS).tags("task_type", "echo", "outcome", "succeeded").counter().count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void registersEachTaskTypesInputAndOutputSchemaAtStartUp() throws Exception {
        // Given the started worker, whose 'contract' task type has never been sent a request nor written a result
        String input = TaskHeaders.requestTopic(EchoWorkerApplication.CONTRACT_ONLY_TYPE) + "-value";
        String output = TaskHeaders.outputSubject(EchoWorkerApplication.CONTRACT_ONLY_TYPE);

        // When the registry is asked for the type's artifacts
        String inputSchema = registryContent("/groups/default/artifacts/" + input);
        String outputSchema = registryContent("/groups/default/artifacts/" + output);

        // Then both are there, with the handler's input and output records as their content
        assertThat(new Schema.Parser().parse(inputSchema)).isEqualTo(EchoInput.getClassSchema());
        assertThat(new Schema.Parser().parse(outputSchema)).isEqualTo(EchoOutput.getClassSchema());
    }

    @Test
    void createsEachTaskTypesDeadLetterTopicAsTheCatalogueDoesItsOwn() throws Exception {
        // Given the started worker
        ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, TaskHeaders.deadLetterTopic("echo"));

        // When its task type's dead-letter topic is described
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicDescription topic = admin.describeTopics(List.of(deadLetters.name())).allTopicNames().get()
                    .get(deadLetters.name());
            Config config = admin.describeConfigs(List.of(deadLetters)).all().get().get(deadLetters);

            // Then it has one partition and keeps records 28 days, like the catalogue's dead-letter topics
            assertThat(topic.partitions()).hasSize(1);
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(Long.toString(Duration.ofDays(28).toMillis()));
        }
    }

    @Test
    void registersAContractAgainWithoutANewVersion() throws Exception {
        // Given a type's contract registered at start-up
        String artifact = TaskHeaders.requestTopic(EchoWorkerApplication.CONTRACT_ONLY_TYPE) + "-value";
        String versions = registryContent("/groups/default/artifacts/" + artifact + "/versions");

        // When a second instance of the worker registers the same contract
        new TaskContracts(List.of(TaskHandler.of(EchoWorkerApplication.CONTRACT_ONLY_TYPE, EchoInput.class,
                EchoOutput.class, (in, ctx) -> null)), serdes).register();

        // Then the artifact still has the versions it had
        assertThat(registryContent("/groups/default/artifacts/" + artifact + "/versions")).isEqualTo(versions);
    }

    @Test
    void runsARedeliveredRequestAgainAndWritesItsResultTwiceForTheEngineToDedupe() {
        // Given the same request (same ce_id) delivered twice, as after a producer retry or a crash before the commit
        String job = TaskRequests.newJob();
        EchoInput input = EchoInput.newBuilder().setText("twice").build();
        String taskId = send(job, "extract", "item-1", 1, input);
        send(job, "extract", "item-1", 1, input);

        // When both have been consumed
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 2);

        // Then the SDK does not dedupe: the handler ran twice and both results carry the same task id; the engine
        // counts (job, stage, item) once
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getItemId()).isEqualTo("item-1");
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        assertThat(EchoWorkerApplication.runs(taskId)).isEqualTo(2);
    }

    @Test
    void neverRunsARequestWhoseTransactionWasAborted() throws Exception {
        // Given a request the engine wrote in a transaction that aborted, then one it committed, for the same job
        String job = TaskRequests.newJob();
        String aborted = TaskHeaders.taskId(job, "extract", "aborted", 1);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aborting-engine-" + job), new StringSerializer(),
                serdes.serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            Instant now = Instant.now();
            producer.send(new ProducerRecord<>(REQUESTS, null, job, EchoInput.newBuilder().setText("aborted").build(),
                    TaskHeaders.requestHeaders(EchoWorkerApplication.TASK_TYPE, job, "extract", "aborted", 1,
                            "tally/pipelines/test/1", now, now.plusSeconds(300)))).get();
            producer.abortTransaction();
        }
        String committed = send(job, "extract", "committed", 1, EchoInput.newBuilder().setText("committed").build());

        // When the worker has answered the committed one
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 1);

        // Then only that one ran: the task consumers read committed whatever the application's consumers do
        assertThat(results).extracting(record -> record.value().getTaskId()).containsExactly(committed);
        assertThat(EchoWorkerApplication.runs(aborted)).isZero();
    }

    @Test
    void succeedsOnTheSecondDeliveryThroughARetryTopic() {
        // Given a request whose first delivery fails with a retryable error
        String job = TaskRequests.newJob();
        String taskId = send(job, "extract", null, 1, EchoInput.newBuilder().setText("flaky").setFailAttempts(1).build());

        // When the worker has retried it
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 1);

        // Then the only result is SUCCEEDED from delivery 2, and the request went through a retry topic
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
            assertThat(decode(record.value())).isEqualTo(new EchoOutput("FLAKY", 2));
        });
        assertThat(EchoWorkerApplication.runs(taskId)).isEqualTo(2);
        assertThat(retryTopics()).isNotEmpty();
        assertThat(retryTopics().stream().mapToInt(topic -> kafka.awaitRaw(topic, KafkaTestClient.withKey(job), 1,
                Duration.ofSeconds(5)).size()).sum()).isEqualTo(1);
    }

    @Test
    void failsANonRetryableTaskAtOnceWithoutRetryTopics() {
        // Given a request the handler refuses for good
        String job = TaskRequests.newJob();
        String taskId = send(job, "extract", null, 1, EchoInput.newBuilder().setText("bad").setFatal(true).build());

        // When the worker has run it
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 1);

        // Then one FAILED result carries the handler's code, not retryable; nothing went to a retry topic or the DLT
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(record.value().getError().getCode()).isEqualTo("bad-input");
            assertThat(record.value().getError().getRetryable()).isFalse();
            assertThat(record.value().getOutput()).isNull();
        });
        assertThat(EchoWorkerApplication.runs(taskId)).isEqualTo(1);
        for (String retryTopic : retryTopics()) {
            assertThat(kafka.awaitRaw(retryTopic, KafkaTestClient.withKey(job), 1, Duration.ofSeconds(2))).isEmpty();
        }
        assertThat(kafka.awaitRaw(DEAD_LETTERS, KafkaTestClient.withKey(job), 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void deadLettersARequestThatFailsEveryDeliveryAndWritesAFailedResult() {
        // Given a request that fails on every delivery
        String job = TaskRequests.newJob();
        String taskId = send(job, "extract", null, 2, EchoInput.newBuilder().setText("never").setFailAttempts(99).build());

        // When its retries are exhausted
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 1);

        // Then the engine gets one FAILED result with the handler's code and reason, after 3 deliveries
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getAttempt()).isEqualTo(2);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(record.value().getError().getCode()).isEqualTo("flaky");
            assertThat(record.value().getError().getMessage()).contains("delivery 3 failed");
        });
        assertThat(EchoWorkerApplication.runs(taskId)).isEqualTo(3);
        // And the request is in the task type's dead-letter topic with the reason
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(DEAD_LETTERS, job, WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("delivery 3 failed");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(REQUESTS);
    }

    @Test
    void deadLettersARequestWithoutHeadersAndGoesOnWithTheNext() {
        // Given a well-typed value without any CloudEvents header, then a proper request on the same partition
        String job = TaskRequests.newJob();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(REQUESTS, job, EchoInput.newBuilder().setText("naked").build()));
        }
        String taskId = send(job, "extract", null, 1, EchoInput.newBuilder().setText("next").build());

        // When the worker has read both
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(DEAD_LETTERS, job, WAIT);
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 1);

        // Then the first is dead-lettered with the missing header as the reason, and the second succeeded
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("no ce_specversion header");
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
    }

    @Test
    void skipsAQueuedTaskOfACancelledJob() {
        // Given a job in the cancelled table, as this worker has read it
        String job = TaskRequests.newJob();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.JOBS_CANCELLED.name(), job,
                    new JobCancelled(job, "stopped by a test", Instant.now())));
        }
        Awaitility.await().atMost(WAIT).until(() -> cancelledJobs.isCancelled(job));

        // When a task of that job arrives
        String taskId = send(job, "extract", null, 1, EchoInput.newBuilder().setText("too late").build());

        // Then it is not run, and its result is SKIPPED with the error code cancelled
        assertThat(resultsOf(job, 1)).singleElement().satisfies(record -> {
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SKIPPED);
            assertThat(record.value().getError().getCode()).isEqualTo(TaskListener.CANCELLED);
        });
        assertThat(EchoWorkerApplication.runs(taskId)).isZero();
    }

    @Test
    void keepsItsPartitionsThroughATaskLongerThanMaxPollInterval() {
        // Given a task that works for 7 s while max.poll.interval.ms is 3 s, then a quick one of the same job
        String job = TaskRequests.newJob();
        String slow = send(job, "slow", null, 1, EchoInput.newBuilder().setText("slow").setSleepMillis(7_000).build());
        String quick = send(job, "quick", null, 1, EchoInput.newBuilder().setText("quick").build());

        // When both have been answered
        List<ConsumerRecord<String, TaskResult>> results = resultsOf(job, 2);

        // Then each ran once (a worker thrown out of its group would have its uncommitted record run again), in order,
        // and the long one reported progress
        assertThat(results).extracting(record -> record.value().getTaskId()).containsExactly(slow, quick);
        assertThat(results).allSatisfy(record -> assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
        assertThat(EchoWorkerApplication.runs(slow)).isEqualTo(1);
        assertThat(kafka.await(Topics.TASK_PROGRESS.name(), TaskProgress.class, KafkaTestClient.withKey(job), 2, WAIT))
                .extracting(record -> record.value().getMessage()).containsExactly("working", "done");
    }

    /** Sends a request with the ADR 0016 headers, as the engine does, and returns its task id. */
    private String send(String job, String stage, String item, int attempt, EchoInput input) {
        return new TaskRequests(kafka, serdes).send(EchoWorkerApplication.TASK_TYPE, job, stage, item, attempt, input);
    }

    private List<ConsumerRecord<String, TaskResult>> resultsOf(String job, int count) {
        return kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class, KafkaTestClient.withKey(job), count, WAIT);
    }

    private EchoOutput decode(TaskResult result) {
        return new TaskRequests(kafka, serdes).output(result, EchoOutput.class);
    }

    private List<String> retryTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return admin.listTopics().names().get().stream().filter(name -> name.startsWith(REQUESTS + "-retry")).sorted()
                    .toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String registryContent(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registryUrl + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    private int registryStatus(String path) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registryUrl + path)).GET().build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }
}
