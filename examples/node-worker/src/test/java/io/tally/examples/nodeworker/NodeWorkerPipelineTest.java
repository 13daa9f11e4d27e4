package io.tally.examples.nodeworker;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static io.tally.testsupport.KafkaTestClient.withKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobCancelled;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PipelineTriggered;
import io.tally.events.TaskResult;
import io.tally.examples.nodeworker.tasks.ReportedStats;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.tasks.wordstats.WordStatsInput;
import io.tally.tasks.wordstats.WordStatsOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyEmbeddedKafka;
import io.tally.testsupport.TaskRequests;
import io.tally.testsupport.InJvmServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * A worker in Node.js in a declared pipeline, on a real broker and the real registry: the engine (job-tracker,
 * publishing {@code pipelines/node-word-stats.yml} from the test resources and the guide's one-stage
 * {@code pipelines/word-stats.yml}) and a Java SDK worker
 * ({@link TextWorkerApplication}) run in this JVM, the example's {@code worker.js} as a child process with only its
 * npm clients. The Node stage sits between two Java stages, so one job crosses both languages and the Node output is
 * read by the registry on the Java side. The tests of single requests (cancelled, poison, redelivered) send them as
 * the engine would, for jobs the engine does not run: it dead-letters their results with a warning, as it should.
 * Without {@code node}/{@code npm} the class is skipped with a warning, unless {@code -Dtally.node-tests=required}.
 */
@TallyEmbeddedKafka
@Timeout(240)
class NodeWorkerPipelineTest {

    private static final String PIPELINE = "node-word-stats";
    private static final String DEMO_PIPELINE_NAME = "word-stats";
    private static final String WORD_STATS = "word-stats";
    /** The mixed Java/Node pipeline of this test. */
    private static final Path TEST_PIPELINE = Path.of("src/test/resources/pipelines/node-word-stats.yml");
    /** The one-stage pipeline the guide runs against ./tally dev. */
    private static final Path DEMO_PIPELINE = Path.of("pipelines/word-stats.yml");
    private static final String WAITING = "waiting for tally.tasks.results-value";
    private static final String READY = " ready: consuming ";
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static InJvmServices services;
    static SchemaRegistryProcess registry;
    static NodeWorkerProcess node;
    static KafkaTestClient kafka;
    static AvroSerdes serdes;
    static String bootstrapServers;

    @BeforeAll
    static void startEngineAndWorkers(EmbeddedKafkaBroker broker) throws Exception {
        NodeWorkerProcess.assumeNodeAndNpm();
        NodeWorkerProcess.installDependencies();
        bootstrapServers = broker.getBrokersAsString();
        // A registry of this class's own, empty, so the Node worker is seen waiting for the catalogue's contracts.
        registry = SchemaRegistryProcess.builder().logFile(Path.of("target", "registry.log").toAbsolutePath()).start();
        serdes = AvroSerdes.forRegistry(registry.registryV2Url(), true);
        kafka = new KafkaTestClient(bootstrapServers, serdes);
        node = NodeWorkerProcess.start(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers,
                "SCHEMA_REGISTRY_URL", registry.ccompatUrl(),
                "TALLY_WORKER_ID", "node-test-worker"));
        node.awaitLog(WAITING, STARTUP);
        // What ./tally dev does before any service starts (a deployment: topics, then `tally schemas register`).
        InJvmServices.createCatalogueTopics(bootstrapServers);
        services = new InJvmServices(bootstrapServers, registry.registryV2Url(), dir.resolve("state"));
        serdes.registerContracts(Topics.ALL);
        // The engine publishes both definitions and creates the task topics; the Java worker registers its two types.
        Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
        for (Path file : List.of(TEST_PIPELINE, DEMO_PIPELINE)) {
            Files.copy(file, pipelines.resolve(file.getFileName()));
        }
        ConfigurableApplicationContext engine = services.start(JobTrackerApplication.class,
                JobTrackerApplication.CONFIG_NAME,
                "--tally.pipelines.dir=" + pipelines, "--tally.tracker.status-interval=200ms");
        services.start(TextWorkerApplication.class, TextWorkerApplication.CONFIG_NAME);
        node.awaitLog(READY, STARTUP);
        KafkaTestClient.awaitRunning(engine.getBean(KafkaStreamsHealth.class), WAIT);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (node != null) {
            node.close();
        }
        if (services != null) {
            services.close();
        }
        // After the services: their serde clients still talk to it while they close.
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void waitedForTheTaskResultContractBeforeConsuming() {
        // Given a worker started against a registry without the catalogue's contracts (see startEngineAndWorkers)
        String log = node.log();

        // Then it said what it waited for, and joined its group only once the contract was there
        assertThat(log).contains(WAITING + " in the registry (run `tally schemas register`");
        assertThat(log.indexOf(WAITING)).isLessThan(log.indexOf(READY));
        assertThat(log).contains(READY + "tally.tasks.word-stats in group tally-worker-word-stats");
    }

    @Test
    void aNodeStageBetweenTwoJavaStagesCompletesTheJobAndTheNextStageReadsItsOutput() throws Exception {
        // Given the engine, the Java worker (text-source, stats-report) and the Node worker (word-stats)
        String jobId = "node-" + UUID.randomUUID();

        // When a run is triggered with a text
        trigger(jobId, "  the quick brown fox jumps  ");

        // Then the job completes
        JobCompleted completed = completion(jobId);
        assertThat(completed.getState()).as("job ended: %s", completed.getReason()).isEqualTo(JobState.COMPLETED);
        // And the Java stage after the Node one read the Node output once, through the engine
        assertThat(TextWorkerApplication.reported(jobId)).containsExactly(new ReportedStats(5, 25, "quick"));
        // And the Node result is a catalogue TaskResult whose Confluent-framed output Apicurio's Java serde reads
        TaskResult result = single(results(jobId, "stats"));
        assertThat(result.getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        assertThat(result.getTaskId()).isEqualTo(TaskHeaders.taskId(jobId, "stats", null, 1));
        assertThat(result.getWorker()).isEqualTo("node-test-worker");
        assertThat(result.getStartedAt()).isNotNull().isBeforeOrEqualTo(result.getEndedAt());
        assertThat(new TaskRequests(kafka, serdes).output(result, WordStatsOutput.class))
                .isEqualTo(new WordStatsOutput(5, 25, "quick"));
    }

    @Test
    void blankTextFailsTheNodeTaskAtOnceAndTheJobWithTheWorkersCode() throws Exception {
        // Given a stage with 3 attempts, and a text the Java stage trims to nothing
        String jobId = "node-blank-" + UUID.randomUUID();

        // When the run is triggered
        trigger(jobId, "   ");

        // Then the job fails with the Node worker's error code in its reason
        JobCompleted completed = completion(jobId);
        assertThat(completed.getState()).isEqualTo(JobState.FAILED);
        assertThat(completed.getReason()).contains("empty-text");
        // And the Node task ran once: its error was not retryable, so no other attempt was dispatched
        TaskResult result = single(results(jobId, "stats"));
        assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
        assertThat(result.getError().getCode()).isEqualTo("empty-text");
        assertThat(result.getError().getRetryable()).isFalse();
        assertThat(result.getOutput()).isNull();
        // And the stage after it never ran
        assertThat(TextWorkerApplication.reported(jobId)).isEmpty();
    }

    @Test
    void skipsATaskOfACancelledJobWithoutRunningIt() throws Exception {
        // Given a job the engine has cancelled, as the Node worker has read it from tally.jobs.cancelled
        String jobId = TaskRequests.newJob();
        send(Topics.JOBS_CANCELLED.name(), jobId, JobCancelled.newBuilder().setJobId(jobId).setReason("test")
                .setCancelledAt(Instant.now()).build());
        await("the Node worker read the cancellation").atMost(WAIT)
                .until(() -> node.log().contains("job " + jobId + " is cancelled"));

        // When a word-stats request of that job arrives
        new TaskRequests(kafka, serdes).send(WORD_STATS, jobId, "stats", null, 1, new WordStatsInput("not counted"));

        // Then it is answered SKIPPED with the code cancelled, and no output
        TaskResult result = single(results(jobId, "stats"));
        assertThat(result.getOutcome()).isEqualTo(ItemOutcome.SKIPPED);
        assertThat(result.getError().getCode()).isEqualTo("cancelled");
        assertThat(result.getOutput()).isNull();
    }

    @Test
    void deadLettersARequestWithoutHeadersAndAnswersTheNextOne() throws Exception {
        // Given a request without the task envelope's headers (it cannot be answered: no job, no task id)
        String poisonKey = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(TaskHeaders.requestTopic(WORD_STATS), poisonKey,
                    "not a task".getBytes(StandardCharsets.UTF_8))).get();
        }

        // When a well-formed request follows it
        String jobId = TaskRequests.newJob();
        String taskId = new TaskRequests(kafka, serdes).send(WORD_STATS, jobId, "stats", "e1", 2,
                new WordStatsInput("one two three"));

        // Then the bad one is in the type's dead-letter topic with the reason, byte for byte
        ConsumerRecord<String, byte[]> dead = kafka.awaitFirstRaw(TaskHeaders.deadLetterTopic(WORD_STATS), poisonKey, WAIT);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not a task");
        assertThat(new String(dead.headers().lastHeader("tally_dlt-reason").value(), StandardCharsets.UTF_8))
                .contains("ce_specversion");
        // And the good one is answered, with its item and attempt copied from the headers
        TaskResult result = single(results(jobId, "stats"));
        assertThat(result.getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        assertThat(result.getTaskId()).isEqualTo(taskId);
        assertThat(result.getItemId()).isEqualTo("e1");
        assertThat(result.getAttempt()).isEqualTo(2);
        assertThat(new TaskRequests(kafka, serdes).output(result, WordStatsOutput.class))
                .isEqualTo(new WordStatsOutput(3, 13, "three"));
        assertThat(node.isAlive()).isTrue();
    }

    @Test
    void failsARequestWhoseValueCannotBeReadWithoutRetrying() throws Exception {
        // Given a request with the envelope's headers but a value that is not in the registry's wire format
        String jobId = TaskRequests.newJob();
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(TaskHeaders.requestTopic(WORD_STATS), null, jobId,
                    "not avro".getBytes(StandardCharsets.UTF_8), TaskHeaders.requestHeaders(WORD_STATS, jobId, "stats",
                            null, 1, "tally/pipelines/test/1", now, now.plusSeconds(300)))).get();
        }

        // Then it is answered FAILED, not retryable (another attempt would read the same bytes), with the reason
        TaskResult result = single(results(jobId, "stats"));
        assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
        assertThat(result.getError().getCode()).isEqualTo("unreadable-input");
        assertThat(result.getError().getRetryable()).isFalse();
        assertThat(result.getError().getMessage()).startsWith("the request's value cannot be read: ");
    }

    @Test
    void answersARedeliveredRequestAgainUnderTheSameTaskId() throws Exception {
        // Given a request the worker has answered
        String jobId = TaskRequests.newJob();
        TaskRequests requests = new TaskRequests(kafka, serdes);
        String taskId = requests.send(WORD_STATS, jobId, "stats", null, 1, new WordStatsInput("a bb ccc"));
        single(results(jobId, "stats"));

        // When the same attempt is delivered again (same ce_id: a producer retry, or a crash before the commit)
        requests.send(WORD_STATS, jobId, "stats", null, 1, new WordStatsInput("a bb ccc"));

        // Then it is run and answered again, with the same task id, which is what the engine counts once by
        List<ConsumerRecord<String, TaskResult>> answers = kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class,
                withKey(jobId), 2, WAIT);
        assertThat(answers).extracting(answer -> answer.value().getTaskId()).containsExactly(taskId, taskId);
        assertThat(answers).extracting(answer -> requests.output(answer.value(), WordStatsOutput.class))
                .containsOnly(new WordStatsOutput(3, 8, "ccc"));
    }

    @Test
    void theGuidesOneStagePipelineRunsOnTheNodeWorkerAlone() throws Exception {
        // Given the demo pipeline of the guide (pipelines/word-stats.yml), whose only stage is the Node one
        String jobId = "node-demo-" + UUID.randomUUID();

        // When it is run with a text
        trigger(DEMO_PIPELINE_NAME, jobId, "the quick brown fox jumps over the lazy dog");

        // Then the job completes with the Node worker's answer as its stage's result
        JobCompleted completed = completion(jobId);
        assertThat(completed.getState()).as("job ended: %s", completed.getReason()).isEqualTo(JobState.COMPLETED);
        assertThat(new TaskRequests(kafka, serdes).output(single(results(jobId, "stats")), WordStatsOutput.class))
                .isEqualTo(new WordStatsOutput(9, 43, "quick"));
    }

    private static void trigger(String jobId, String text) throws Exception {
        trigger(PIPELINE, jobId, text);
    }

    private static void trigger(String pipeline, String jobId, String text) throws Exception {
        String triggerId = "manual:" + UUID.randomUUID();
        send(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder().setTriggerId(triggerId)
                .setJobId(jobId).setPipeline(pipeline).setTriggeredAt(Instant.now())
                .setParameters(Map.of("text", text)).build());
    }

    private static void send(String topic, String key, SpecificRecord value) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** The job's one completion; a second one within the settle time fails the test. */
    private static JobCompleted completion(String jobId) {
        List<ConsumerRecord<String, JobCompleted>> completions =
                kafka.await(Topics.JOB_COMPLETED.name(), JobCompleted.class, withKey(jobId), 1, WAIT);
        assertThat(completions).as("completions of %s", jobId).hasSize(1);
        return completions.get(0).value();
    }

    /** Every result of {@code stage} of {@code jobId}, read once at least one is there (and a moment more). */
    private static List<TaskResult> results(String jobId, String stage) {
        return kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class,
                        record -> jobId.equals(record.key()) && stage.equals(record.value().getStage()), 1, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    private static TaskResult single(List<TaskResult> results) {
        assertThat(results).as("results").hasSize(1);
        return results.get(0);
    }
}
