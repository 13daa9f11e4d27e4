package io.tally.places.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.PipelineTriggered;
import io.tally.events.TaskResult;
import io.tally.jobsapi.JobsApiApplication;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.KafkaBrokerProcess;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.notification.NotificationServiceApplication;
import io.tally.pipeline.ParameterSpec;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.StageSpec;
import io.tally.places.PlacesWorkersApplication;
import io.tally.testsupport.InJvmServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * pipelines/restaurants-daily.yml end to end on a real broker process and the real registry, with the engine
 * (job-tracker), the notification service (outbox channel), the places workers and the jobs API in this JVM. Runs are
 * started as a person would, through {@code POST /api/pipelines/restaurants-daily/runs}. The definition the engine
 * publishes is the repository's file with shorter timeouts and retry delays (so a hung attempt is seen in seconds);
 * everything else is the file as it is. Known gap: the schedule's 08:00 firing is not run here (the scheduler's own
 * tests fire declared schedules); this test checks the file declares it.
 */
@Timeout(300)
class RestaurantsDailyPipelineTest {

    private static final String PIPELINE = "restaurants-daily";
    private static final Path REPOSITORY_FILE = Path.of("../../pipelines/restaurants-daily.yml").toAbsolutePath();
    private static final Duration TEST_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final String API_KEY = "e2e-key-restaurants-daily";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    static KafkaBrokerProcess broker;
    static SchemaRegistryProcess registry;
    static AvroSerdes serdes;
    static String api;
    static InJvmServices services;

    @BeforeAll
    static void startTheStack() throws Exception {
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        broker = KafkaBrokerProcess.builder().dataDir(dir.resolve("kafka"))
                .logFile(Path.of("target", "e2e-logs", "broker.log").toAbsolutePath()).maxHeap("512m").start();
        registry = SchemaRegistryProcess.shared();
        serdes = AvroSerdes.forRegistry(registry.registryV2Url(), false);
        InJvmServices.createCatalogueTopics(broker.bootstrapServers());
        services = new InJvmServices(broker.bootstrapServers(), registry.registryV2Url(), dir.resolve("state"));
        Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
        Files.writeString(pipelines.resolve(PIPELINE + ".yml"), Files.readString(REPOSITORY_FILE)
                .replace("timeout: 300s", "timeout: " + TEST_TIMEOUT.toSeconds() + "s")
                .replace("initialDelay: 5s", "initialDelay: 500ms")
                .replace("maxDelay: 1m", "maxDelay: 2s"));
        // The engine first: it publishes the definition and creates the task topics before its streams start.
        ConfigurableApplicationContext engine = services.start(JobTrackerApplication.class,
                JobTrackerApplication.CONFIG_NAME,
                "--tally.pipelines.dir=" + pipelines, "--tally.tracker.status-interval=200ms");
        services.start(NotificationServiceApplication.class, NotificationServiceApplication.CONFIG_NAME,
                "--tally.notify.outbox-dir=" + dir.resolve("outbox"), "--tally.worker.retry.attempts=1");
        services.start(PlacesWorkersApplication.class, new Class<?>[] {ScriptedPlaces.class},
                PlacesWorkersApplication.CONFIG_NAME, "--tally.places.warehouse=" + dir.resolve("warehouse.duckdb"),
                // The engine's attempts are what this test is about, not the SDK's local retries.
                "--tally.worker.retry.attempts=1");
        ConfigurableApplicationContext jobsApi = services.start(JobsApiApplication.class, JobsApiApplication.CONFIG_NAME,
                "--tally.api.security.api-keys[0].name=e2e", "--tally.api.security.api-keys[0].key=" + API_KEY,
                "--tally.api.security.api-keys[0].roles[0]=USER", "--tally.api.security.api-keys[0].roles[1]=ADMIN");
        api = "http://localhost:" + jobsApi.getEnvironment().getProperty("local.server.port");
        KafkaStreamsHealth streams = engine.getBean(KafkaStreamsHealth.class);
        await("the engine's streams are RUNNING").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> streams.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (services != null) {
            services.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theRepositoryFileRunsDailyAt8UtcWithA300SecondTimeoutAnd3RetriesPerStep() throws Exception {
        // Given the repository's definition as it is
        PipelineDefinition definition = PipelineLoader.load(REPOSITORY_FILE);

        // Then it fires every day at 08:00 UTC with the seed's defaults, and every step has 300 s and 4 attempts
        assertThat(definition.schedules()).singleElement().satisfies(schedule -> {
            assertThat(schedule.cron()).isEqualTo("0 0 8 * * *");
            assertThat(schedule.zone().getId()).isEqualTo("UTC");
        });
        assertThat(definition.parameters()).extracting(ParameterSpec::name, ParameterSpec::defaultValue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("city", "Paris"), org.assertj.core.groups.Tuple.tuple("count", "20"));
        assertThat(definition.stages()).extracting(StageSpec::id)
                .containsExactly("collect", "transform", "tests", "report", "notify", "gate");
        assertThat(definition.stages()).allSatisfy(stage -> {
            assertThat(stage.timeout()).as(stage.id()).isEqualTo(Duration.ofSeconds(300));
            assertThat(stage.retry().attempts()).as(stage.id()).isEqualTo(4);
        });
    }

    @Test
    void aManualRunOfACleanCityCompletesWithASuccessSummaryOfRowsAndTimings() throws Exception {
        // When a person runs Paris with 20 restaurants through the API
        JsonNode accepted = run(Map.of("city", "Paris", "count", "20"));
        String jobId = accepted.get("jobId").asString();

        // Then the job completes, every stage succeeded, with the rows in the stages' details
        JsonNode job = awaitEnded(jobId);
        assertThat(job.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(job.get("parameters").get("city").asString()).isEqualTo("Paris");
        assertThat(stage(job, "collect").get("detail").asString()).isEqualTo("20 rows from fixture");
        assertThat(stage(job, "tests").get("detail").asString()).isEqualTo("5 passed, 0 failed");
        assertThat(stage(job, "notify").get("detail").asString()).isEqualTo("pipeline-succeeded:" + jobId + ":notify");
        // And the success summary is in the outbox with the rows and time of each step
        String summary = awaitOutbox("pipeline-succeeded:" + jobId + ":notify");
        assertThat(summary).contains("Subject: [tally] restaurants-daily Paris: 20 places collected, 5/5 data tests passed")
                .containsPattern("collect +20 rows +\\d+ ms")
                .containsPattern("marts +20 rows +\\d+ ms +restaurants\n")
                .containsPattern("tests +5 passed, 0 failed +\\d+ ms");
        // And the run is recorded as manual: its trigger names no schedule, is the API's, and says who asked
        PipelineTriggered trigger = triggers().stream()
                .filter(record -> record.getTriggerId().equals(accepted.get("triggerId").asString()))
                .findFirst().orElseThrow();
        assertThat(trigger.getSchedule()).isNull();
        assertThat(trigger.getScheduledFor()).isNull();
        assertThat(trigger.getRequestedBy()).isEqualTo("e2e");
        assertThat(trigger.getTriggerId()).startsWith("api:");
        assertThat(trigger.getJobId()).isEqualTo(jobId);
    }

    @Test
    void aRunWhoseDataFailsTheTestsEndsFailedWithAMessageNamingEachFailedTestAndItsRows() throws Exception {
        // When the dirty fixture city runs
        String jobId = run(Map.of("city", "Dirtyville")).get("jobId").asString();

        // Then the job ends FAILED at the gate, which names the failed tests
        JsonNode job = awaitEnded(jobId);
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(stage(job, "gate").get("status").asString()).isEqualTo("FAILED");
        assertThat(stage(job, "notify").get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("reason").asString()).contains("quality-gate-failed").contains("not_null_restaurants_name");
        // And the failure message names each failed test with its sample rows
        String message = awaitOutbox("pipeline-failed:" + jobId + ":notify");
        assertThat(message).contains("Subject: [tally] restaurants-daily Dirtyville: 3 of 5 data tests failed")
                .contains(" - not_null_restaurants_name (not_null on restaurants): 1 failing row(s)")
                .contains("place_id=ChIJdirty0002")
                .contains(" - unique_restaurants_place_id (unique on restaurants): 2 failing row(s)")
                .contains("name=Le Doublon (bis)")
                .contains(" - accepted_values_restaurants_price_level")
                .contains("price_level=PRICE_LEVEL_CHEAP");
    }

    @Test
    void aHungStepIsTimedOutAndRetriedAndAStepFailingTwiceThenSucceedingCompletes() throws Exception {
        // When a city whose first collect hangs past the stage timeout runs, and one whose collect fails twice
        String slow = run(Map.of("city", ScriptedPlaces.SLOW, "count", "10")).get("jobId").asString();
        String flaky = run(Map.of("city", ScriptedPlaces.FLAKY, "count", "10")).get("jobId").asString();

        // Then both complete
        assertThat(awaitEnded(slow).get("status").asString()).isEqualTo("COMPLETED");
        assertThat(awaitEnded(flaky).get("status").asString()).isEqualTo("COMPLETED");
        // And the hung collect's first attempt was timed out: the engine sent a second attempt, at least the
        // timeout after the first, with no failure result in between
        List<ConsumerRecord<String, byte[]>> slowRequests = requests("collect-places", slow);
        assertThat(slowRequests).extracting(record -> header(record, TaskHeaders.ATTEMPT)).containsExactly("1", "2");
        assertThat(slowRequests.get(1).timestamp() - slowRequests.get(0).timestamp())
                .isGreaterThanOrEqualTo(TEST_TIMEOUT.toMillis());
        assertThat(results(slow, "collect")).noneMatch(result -> result.getOutcome() == ItemOutcome.FAILED);
        assertThat(ScriptedPlaces.calls(ScriptedPlaces.SLOW)).isEqualTo(2);
        // And the flaky collect failed twice, retryably, and the third attempt succeeded
        assertThat(requests("collect-places", flaky)).extracting(record -> header(record, TaskHeaders.ATTEMPT))
                .containsExactly("1", "2", "3");
        assertThat(results(flaky, "collect")).extracting(TaskResult::getAttempt, TaskResult::getOutcome,
                result -> result.getError() == null ? null : result.getError().getCode()).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, ItemOutcome.FAILED, "places-unavailable"),
                org.assertj.core.groups.Tuple.tuple(2, ItemOutcome.FAILED, "places-unavailable"),
                org.assertj.core.groups.Tuple.tuple(3, ItemOutcome.SUCCEEDED, null));
        // And each job's raw table holds the rows of one collect, though the slow one was collected twice
        assertThat(awaitOutbox("pipeline-succeeded:" + slow + ":notify")).containsPattern("collect +10 rows");
        assertThat(awaitOutbox("pipeline-succeeded:" + flaky + ":notify")).containsPattern("collect +10 rows");
    }

    // --- the API ---

    /** Runs the pipeline through the API (retrying while the API has not seen the definition yet). */
    private static JsonNode run(Map<String, String> parameters) {
        String body = JSON.writeValueAsString(Map.of("parameters", parameters));
        HttpResponse<String>[] answer = new HttpResponse[1];
        await("the API accepts the run").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
            answer[0] = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/pipelines/" + PIPELINE + "/runs"))
                    .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return answer[0].statusCode() == 202;
        });
        return JSON.readTree(answer[0].body());
    }

    private static JsonNode job(String jobId) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + jobId))
                .header("X-API-Key", API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
    }

    private static JsonNode awaitEnded(String jobId) {
        JsonNode[] ended = new JsonNode[1];
        await("job " + jobId + " ends").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode job = job(jobId);
            boolean done = job != null && job.get("completedAt") != null && !job.get("completedAt").isNull();
            ended[0] = job;
            return done;
        });
        // A figure for people reading the build: how long the run took from creation to end.
        JsonNode job = ended[0];
        System.out.printf("restaurants-daily e2e: %s %s %s in %d ms%n", jobId, job.get("parameters"),
                job.get("status").asString(), java.time.Duration.between(java.time.Instant.parse(job.get("createdAt").asString()),
                        java.time.Instant.parse(job.get("completedAt").asString())).toMillis());
        return job;
    }

    private static JsonNode stage(JsonNode job, String name) {
        for (JsonNode stage : job.get("stages")) {
            if (stage.get("name").asString().equals(name)) {
                return stage;
            }
        }
        throw new AssertionError("no stage " + name + " in " + job);
    }

    private static String awaitOutbox(String notificationId) {
        Path file = dir.resolve("outbox").resolve(notificationId.replaceAll("[^A-Za-z0-9._-]", "_") + ".eml");
        await("notification " + notificationId + " in the outbox").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> Files.exists(file));
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // --- the topics ---

    private static List<PipelineTriggered> triggers() {
        var deserializer = serdes.deserializer(PipelineTriggered.class);
        return read(Topics.PIPELINE_TRIGGERS.name()).stream()
                .map(record -> deserializer.deserialize(record.topic(), record.headers(), record.value())).toList();
    }

    private static List<TaskResult> results(String jobId, String stage) {
        var deserializer = serdes.deserializer(TaskResult.class);
        return read(Topics.TASK_RESULTS.name()).stream().filter(record -> jobId.equals(record.key()))
                .map(record -> deserializer.deserialize(record.topic(), record.headers(), record.value()))
                .filter(result -> result.getStage().equals(stage))
                .sorted(Comparator.comparing(TaskResult::getAttempt)).toList();
    }

    private static List<ConsumerRecord<String, byte[]>> requests(String taskType, String jobId) {
        return read(TaskHeaders.requestTopic(taskType)).stream().filter(record -> jobId.equals(record.key()))
                .sorted(Comparator.comparing(ConsumerRecord::timestamp)).toList();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Every committed record of a topic, from the beginning to its end now. */
    private static List<ConsumerRecord<String, byte[]>> read(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
