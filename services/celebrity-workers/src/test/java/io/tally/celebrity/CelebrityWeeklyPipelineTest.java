package io.tally.celebrity;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.tally.celebrity.quality.CheckCelebrityQualityHandler;
import io.tally.celebrity.view.TopicTable;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.events.TaskResult;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.KafkaBrokerProcess;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityOutput;
import io.tally.testsupport.InJvmServices;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code pipelines/celebrity-weekly.yml} end to end on a real broker process and the real registry, with the engine
 * (the job-tracker service, publishing the repository's pipelines at start-up) and the celebrity workers in this JVM,
 * as tools/tally-faults' FanJoinPipelineTest runs its pipeline. TMDB, Wikipedia and social are the offline fixtures;
 * the news source is the real NewsAPI adapter against a local WireMock, so a run can lose it: first a complete run,
 * then one whose news API answers 503 to every attempt.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CelebrityWeeklyPipelineTest {

    private static final String PIPELINE = "celebrity-weekly";
    private static final Set<JobState> ENDED = EnumSet.of(JobState.COMPLETED, JobState.COMPLETED_WITH_FAILURES,
            JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED);
    private static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    static KafkaBrokerProcess broker;
    static SchemaRegistryProcess registry;
    static AvroSerdes serdes;
    static WireMockServer newsApi;
    static ConfigurableApplicationContext worker;
    static InJvmServices services;

    @BeforeAll
    static void startStack() throws Exception {
        broker = KafkaBrokerProcess.builder().dataDir(dir.resolve("kafka"))
                .logFile(Path.of("target", "e2e-logs", "broker.log").toAbsolutePath()).maxHeap("512m").start();
        registry = SchemaRegistryProcess.shared();
        serdes = AvroSerdes.forRegistry(registry.registryV2Url(), true);
        InJvmServices.createCatalogueTopics(broker.bootstrapServers());
        services = new InJvmServices(broker.bootstrapServers(), registry.registryV2Url(), dir.resolve("state"));
        newsApi = new WireMockServer(wireMockConfig().dynamicPort());
        newsApi.start();
        // The engine first: it publishes the definitions and creates the task topics before its streams start.
        ConfigurableApplicationContext engine = services.start(JobTrackerApplication.class,
                JobTrackerApplication.CONFIG_NAME,
                "--tally.pipelines.dir=" + System.getProperty("tally.local.pipelines", "../../pipelines"),
                "--tally.tracker.status-interval=200ms");
        worker = services.start(CelebrityWorkersApplication.class, CelebrityWorkersApplication.CONFIG_NAME,
                "--tally.worker.create-topics=true",
                "--tally.celebrities.news.adapter=http",
                "--tally.celebrities.news.base-url=" + newsApi.baseUrl(),
                "--tally.celebrities.news.api-key=e2e-news-key-0123456789");
        InJvmServices.awaitStreamsRunning(engine, Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() {
        if (services != null) {
            services.close();
        }
        if (newsApi != null) {
            newsApi.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void aRunWritesFourHundredEntriesEnrichesThemAllAndPassesItsQualityCheck() throws Exception {
        // Given a news API that answers every celebrity
        newsApi.resetAll();
        newsApi.stubFor(get(urlPathEqualTo("/v2/everything")).willReturn(okJson("""
                {"status": "ok", "totalResults": 42, "articles": [{"title": "Star wins award", "description": "A brilliant night"}]}
                """)));

        // When a run is triggered, as the weekly schedule (or `tally run`) does
        String jobId = trigger();
        JobStatus status = awaitEnded(jobId);

        // Then the job is COMPLETED, each source wrote 100 entries, and the quality check passed
        assertThat(status.getState()).isEqualTo(JobState.COMPLETED);
        Map<String, StageStatus> stages = stages(status);
        for (String source : List.of("tmdb", "wikipedia", "news", "social")) {
            assertThat(stages.get(source).getState()).as(source).isEqualTo(StageState.SUCCEEDED);
            assertThat(stages.get(source).getDetail()).as(source).startsWith("100 entries");
        }
        assertThat(stages.get("news").getDetail()).isEqualTo("100 entries (newsapi-v2)");
        CheckCelebrityQualityOutput quality = qualityOutput(jobId);
        assertThat(quality.getVerdict()).isEqualTo("PASSED");
        assertThat(quality.getEntries()).isEqualTo(400);
        assertThat(quality.getEnriched()).isEqualTo(400);
        assertThat(quality.getUnenriched()).isZero();
        assertThat(quality.getPositive() + quality.getNeutral() + quality.getNegative()).isEqualTo(400);
        assertThat(quality.getWeightMin()).isNotNull();
        assertThat(stages.get("quality").getDetail()).startsWith("PASSED: 400 of 400 entries, 400 enriched");
        // And the table holds 400 entries of this job, each with its profile
        assertThat(entriesOf(jobId)).hasSize(400);
        assertThat(profiles().values()).hasSize(400);
    }

    @Test
    @Order(2)
    void aRunWhoseNewsSourceFailsEveryAttemptCompletesWithFailuresAndADegradedQualityVerdict() throws Exception {
        // Given a news API that answers 503 to everything, and the SDK's failure count of collect-news so far
        newsApi.resetAll();
        newsApi.stubFor(get(urlPathEqualTo("/v2/everything")).willReturn(aResponse().withStatus(503).withBody("overloaded")));
        double failedBefore = failedCount("collect-news");

        // When a run is triggered
        String jobId = trigger();
        JobStatus status = awaitEnded(jobId);

        // Then the job ends COMPLETED_WITH_FAILURES: news FAILED, the other three sources and the check succeeded
        assertThat(status.getState()).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
        Map<String, StageStatus> stages = stages(status);
        assertThat(stages.get("news").getState()).isEqualTo(StageState.FAILED);
        for (String source : List.of("tmdb", "wikipedia", "social")) {
            assertThat(stages.get(source).getState()).as(source).isEqualTo(StageState.SUCCEEDED);
        }
        // And news was attempted 4 times (1 s, 2 s, 4 s apart), each failing as source-unavailable and dead-lettered
        List<TaskResult> newsResults = results(jobId, result -> result.getStage().equals("news"));
        assertThat(newsResults).extracting(TaskResult::getAttempt).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(newsResults).allSatisfy(result -> {
            assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(result.getError().getCode()).isEqualTo("source-unavailable");
        });
        assertThat(deadLetters(TaskHeaders.deadLetterTopic("collect-news"), jobId)).isEqualTo(4);
        // And the SDK counted 4 failures of the source task type: more than 3 in 300 s, so TallyCelebritySourceFailing fires
        assertThat(failedCount("collect-news") - failedBefore).isEqualTo(4);
        // And the check tells the degradation honestly: 300 entries of this run, all enriched, news missing, DEGRADED
        CheckCelebrityQualityOutput quality = qualityOutput(jobId);
        assertThat(quality.getVerdict()).isEqualTo("DEGRADED");
        assertThat(quality.getEntries()).isEqualTo(300);
        assertThat(quality.getUnenriched()).isZero();
        assertThat(quality.getMissingSources()).containsExactly("news");
        assertThat(stages.get("quality").getDetail()).startsWith("DEGRADED: 300 of 400 entries")
                .endsWith("no entries from news");
        assertThat(entriesOf(jobId)).hasSize(300);
    }

    private static String trigger() throws Exception {
        String jobId = PIPELINE + "-" + UUID.randomUUID();
        String triggerId = "manual:" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                serdes.serializer())) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline(PIPELINE).setTriggeredAt(Instant.now())
                    .setParameters(Map.of()).build())).get();
        }
        return jobId;
    }

    /** The job's latest status once it has ended. */
    private static JobStatus awaitEnded(String jobId) {
        try (KafkaConsumer<String, JobStatus> consumer = consumer(serdes.deserializer(JobStatus.class))) {
            List<TopicPartition> partitions = fromStart(consumer, Topics.JOB_STATUS.name());
            JobStatus latest = null;
            long deadline = System.nanoTime() + RUN.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JobStatus> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(record.key())) {
                        latest = record.value();
                    }
                }
                if (latest != null && ENDED.contains(latest.getState())) {
                    return latest;
                }
            }
            throw new AssertionError("job " + jobId + " did not end within " + RUN + "; last status " + latest
                    + " (partitions " + partitions + ")");
        }
    }

    private static Map<String, StageStatus> stages(JobStatus status) {
        return status.getStages().stream().collect(Collectors.toMap(StageStatus::getName, stage -> stage));
    }

    /** Every task result of the job that matches. */
    private static List<TaskResult> results(String jobId, Predicate<TaskResult> match) {
        List<TaskResult> found = new ArrayList<>();
        try (KafkaConsumer<String, TaskResult> consumer = consumer(serdes.deserializer(TaskResult.class))) {
            List<TopicPartition> partitions = fromStart(consumer, Topics.TASK_RESULTS.name());
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, TaskResult> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(record.key()) && match.test(record.value())) {
                        found.add(record.value());
                    }
                }
            }
        }
        return found;
    }

    private static CheckCelebrityQualityOutput qualityOutput(String jobId) {
        List<TaskResult> checks = results(jobId, result -> result.getTaskType().equals(CheckCelebrityQualityHandler.TASK_TYPE)
                && result.getOutcome() == ItemOutcome.SUCCEEDED);
        assertThat(checks).as("succeeded quality checks of " + jobId).hasSize(1);
        byte[] framed = new byte[checks.get(0).getOutput().remaining()];
        checks.get(0).getOutput().duplicate().get(framed);
        return serdes.deserializer(CheckCelebrityQualityOutput.class)
                .deserialize(TaskHeaders.outputSubject(CheckCelebrityQualityHandler.TASK_TYPE), framed);
    }

    /** Records of the job in a dead-letter topic (task requests are keyed by job id). */
    private static long deadLetters(String topic, String jobId) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = fromStart(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    count += jobId.equals(record.key()) ? 1 : 0;
                }
            }
            return count;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<CelebrityEntry> entriesOf(String jobId) {
        TopicTable<CelebrityEntry> entries = worker.getBean("celebrityEntriesView", TopicTable.class);
        return entries.values().stream().filter(entry -> entry.getJobId().equals(jobId)).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, CelebrityProfile> profiles() {
        TopicTable<CelebrityProfile> profiles = worker.getBean("celebrityProfilesView", TopicTable.class);
        return profiles.values().stream().collect(Collectors.toMap(p -> p.getCelebrityId() + "/" + p.getSource(), p -> p));
    }

    private static double failedCount(String taskType) {
        Counter counter = worker.getBean(MeterRegistry.class).find("tally.worker.tasks")
                .tags("task_type", taskType, "outcome", "failed").counter();
        return counter == null ? 0 : counter.count();
    }

    private static <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), values);
    }

    private static <V> List<TopicPartition> fromStart(KafkaConsumer<String, V> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }
}
