package io.tally.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.TaskResult;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.KafkaBrokerProcess;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.media.history.MediaHistory;
import io.tally.media.source.FixtureMetadata;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItem;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.PickNewItemsOutput;
import io.tally.testsupport.InJvmServices;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code pipelines/media-sources.yml} end to end on a real broker process and the real registry, with the engine (the
 * job-tracker service, publishing the repository's pipelines) and the media workers (fixture adapter) in this JVM, as
 * tools/tally-faults' FanJoinPipelineTest runs its pipeline: the playlist source, then the channel that shares two of
 * its videos, then the playlist again. The seed's dedupe across sources and its DLQ in one run of three sources.
 */
@Timeout(300)
class MediaSourcesPipelineTest {

    private static final String PIPELINE = "media-sources";
    private static final Set<JobState> ENDED = EnumSet.of(JobState.COMPLETED, JobState.COMPLETED_WITH_FAILURES,
            JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED);
    private static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    static KafkaBrokerProcess broker;
    static SchemaRegistryProcess registry;
    static AvroSerdes serdes;
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
        // The engine first: it publishes the definitions and creates the task topics before its streams start.
        ConfigurableApplicationContext engine = services.start(JobTrackerApplication.class,
                JobTrackerApplication.CONFIG_NAME,
                "--tally.pipelines.dir=" + System.getProperty("tally.local.pipelines", "../../pipelines"),
                "--tally.tracker.status-interval=200ms");
        worker = services.start(MediaWorkersApplication.class, MediaWorkersApplication.CONFIG_NAME,
                "--tally.worker.create-topics=true", "--tally.worker.instance-id=media-workers-e2e");
        InJvmServices.awaitStreamsRunning(engine, Duration.ofMinutes(2));
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
    void processesEachVideoOnceAcrossSourcesDeadLettersTheBrokenOneAndDoesNotQueueItAgain() throws Exception {
        // Given the fixture playlist (12 videos, tallyvid007 private)
        // When it is added as a source
        String first = trigger(FixtureMetadata.PLAYLIST_URL);
        JobStatus playlist = awaitEnded(first);

        // Then its 12 videos were each one task: 11 SUCCEEDED, the private one FAILED as video-unavailable
        assertThat(playlist.getState()).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
        assertThat(pickOf(first).getItems()).hasSize(12);
        List<TaskResult> processed = results(first, result -> result.getStage().equals("process"));
        assertThat(processed).filteredOn(result -> result.getOutcome() == ItemOutcome.SUCCEEDED).hasSize(11);
        assertThat(processed).filteredOn(result -> result.getOutcome() == ItemOutcome.FAILED).singleElement()
                .satisfies(failed -> {
                    assertThat(failed.getItemId()).contains(FixtureMetadata.BROKEN_VIDEO);
                    assertThat(failed.getError().getCode()).isEqualTo("video-unavailable");
                });
        // And after the worker's 3 deliveries the request is in the DLQ, and the history says so; the others are DONE
        assertThat(deadLetters(TaskHeaders.deadLetterTopic("process-video"), first)).isEqualTo(1);
        MediaHistory history = worker.getBean(MediaHistory.class);
        Awaitility.await("the dead letter in the history").atMost(Duration.ofSeconds(30)).until(() ->
                history.get(FixtureMetadata.BROKEN_VIDEO).map(MediaHistoryEntry::getState).orElse(null)
                        == MediaItemState.DEAD_LETTERED);
        Map<String, MediaHistoryEntry> table = history.table();
        assertThat(table.get(FixtureMetadata.BROKEN_VIDEO).getReason()).startsWith("video-unavailable");
        for (String done : IntStream.rangeClosed(1, 12).filter(i -> i != 7).mapToObj("tallyvid%03d"::formatted).toList()) {
            assertThat(table.get(done).getState()).as(done).isEqualTo(MediaItemState.DONE);
            assertThat(table.get(done).getWorker()).as(done).isEqualTo("media-workers-e2e");
            assertThat(table.get(done).getJobId()).as(done).isEqualTo(first);
        }

        // When the channel (8 videos, 2 of them the playlist's) is added
        String second = trigger(FixtureMetadata.CHANNEL_URL);
        JobStatus channel = awaitEnded(second);

        // Then only its 6 new videos were queued and processed
        assertThat(channel.getState()).isEqualTo(JobState.COMPLETED);
        PickNewItemsOutput channelPick = pickOf(second);
        assertThat(channelPick.getItems()).extracting(MediaItem::getVideoId)
                .containsExactly("tallyvid101", "tallyvid102", "tallyvid103", "tallyvid104", "tallyvid105", "tallyvid106");
        assertThat(channelPick.getAlreadyDone()).isEqualTo(2);
        assertThat(results(second, result -> result.getStage().equals("process")))
                .hasSize(6).allMatch(result -> result.getOutcome() == ItemOutcome.SUCCEEDED);
        assertThat(history.get("tallyvid011").orElseThrow().getJobId()).isEqualTo(first);

        // When the playlist is added again
        String third = trigger(FixtureMetadata.PLAYLIST_URL);
        JobStatus again = awaitEnded(third);

        // Then nothing is queued: 11 done, and the dead-lettered one is not queued again
        assertThat(again.getState()).isEqualTo(JobState.COMPLETED);
        PickNewItemsOutput againPick = pickOf(third);
        assertThat(againPick.getItems()).isEmpty();
        assertThat(againPick.getAlreadyDone()).isEqualTo(11);
        assertThat(againPick.getDeadLettered()).isEqualTo(1);
        assertThat(results(third, result -> result.getStage().equals("process"))).isEmpty();
    }

    private static String trigger(String url) throws Exception {
        String jobId = PIPELINE + "-" + UUID.randomUUID();
        String triggerId = "manual:" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                serdes.serializer())) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline(PIPELINE).setTriggeredAt(Instant.now())
                    .setParameters(Map.of("url", url)).build())).get();
        }
        return jobId;
    }

    /** The job's latest status once it has ended. */
    private static JobStatus awaitEnded(String jobId) {
        try (KafkaConsumer<String, JobStatus> consumer = consumer(serdes.deserializer(JobStatus.class))) {
            FromStart.assign(consumer, List.of(Topics.JOB_STATUS.name()));
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
            throw new AssertionError("job " + jobId + " did not end within " + RUN + "; last status " + latest);
        }
    }

    /** Every task result of the job that matches. */
    private static List<TaskResult> results(String jobId, Predicate<TaskResult> match) {
        try (KafkaConsumer<String, TaskResult> consumer = consumer(serdes.deserializer(TaskResult.class))) {
            return FromStart.readToEnd(consumer, List.of(Topics.TASK_RESULTS.name()), Duration.ofSeconds(30)).stream()
                    .filter(record -> jobId.equals(record.key()) && match.test(record.value()))
                    .map(ConsumerRecord::value).toList();
        }
    }

    private static PickNewItemsOutput pickOf(String jobId) {
        List<TaskResult> picks = results(jobId, result -> result.getStage().equals("pick")
                && result.getOutcome() == ItemOutcome.SUCCEEDED);
        assertThat(picks).as("succeeded picks of " + jobId).isNotEmpty();
        byte[] framed = new byte[picks.get(0).getOutput().remaining()];
        picks.get(0).getOutput().duplicate().get(framed);
        return serdes.deserializer(PickNewItemsOutput.class).deserialize(TaskHeaders.outputSubject("pick-new-items"), framed);
    }

    /** Records of the job in a dead-letter topic (task requests are keyed by job id). */
    private static long deadLetters(String topic, String jobId) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(new ByteArrayDeserializer())) {
            return FromStart.readToEnd(consumer, List.of(topic), Duration.ofSeconds(30)).stream()
                    .filter(record -> jobId.equals(record.key())).count();
        }
    }

    private static <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), values);
    }
}
