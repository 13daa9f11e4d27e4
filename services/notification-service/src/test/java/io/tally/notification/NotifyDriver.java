package io.tally.notification;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.jobs.Stages;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.NotificationRequested;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.notification.channels.Notification;
import io.tally.testsupport.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A {@link TopologyTestDriver} around the deciding notification topology with the real Apicurio serdes over an
 * in-memory registry, the delivery intents it writes (as {@link Notification}s, the way the delivery consumer reads
 * them), and shorthands for the events the tests send. Runs at_least_once: the 4.2 driver drops dead-letter records
 * under exactly_once_v2 (EOS is proven on a real broker in the integration tests).
 */
final class NotifyDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    static final Duration PLAYLIST_WAIT = Duration.ofMinutes(2);

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final AvroSerdes serdes = AvroSerdes.forClient(registry);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TopologyTestDriver driver;
    final TestInputTopic<String, JobStatus> status;
    final TestInputTopic<String, JobStalled> stalled;
    final TestInputTopic<String, ItemProcessed> items;
    final TestInputTopic<String, byte[]> rawStatus;
    final TestOutputTopic<String, NotificationRequested> requests;
    final TestOutputTopic<String, byte[]> deadLetters;
    private final List<TestRecord<String, NotificationRequested>> intents = new ArrayList<>();

    NotifyDriver() {
        this(EnumSet.allOf(Kind.class));
    }

    NotifyDriver(Set<Kind> kinds) {
        NotificationProperties defaults = NotificationProperties.defaults(Path.of("target/unused-outbox"));
        NotificationProperties config = new NotificationProperties(kinds, PLAYLIST_WAIT, Duration.ofSeconds(1), 20, defaults.outboxDir(),
                defaults.retry(), defaults.delivery(), defaults.email(), defaults.webhook());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "notify-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/kafka-streams-state/" + java.util.UUID.randomUUID());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.NOTIFICATION_SERVICE_DLT.name());
        driver = new TopologyTestDriver(NotificationTopology.build(config, serdes, meters), props, START);
        StringSerializer keys = new StringSerializer();
        status = driver.createInputTopic(Topics.JOB_STATUS.name(), keys, serdes.valueSerde(Topics.JOB_STATUS).serializer());
        stalled = driver.createInputTopic(Topics.JOB_STALLED.name(), keys, serdes.valueSerde(Topics.JOB_STALLED).serializer());
        items = driver.createInputTopic(Topics.ITEM_PROCESSED.name(), keys, serdes.valueSerde(Topics.ITEM_PROCESSED).serializer());
        rawStatus = driver.createInputTopic(Topics.JOB_STATUS.name(), keys, new ByteArraySerializer());
        StringDeserializer keyReader = new StringDeserializer();
        requests = driver.createOutputTopic(Topics.NOTIFICATIONS_REQUESTED.name(), keyReader,
                serdes.valueSerde(Topics.NOTIFICATIONS_REQUESTED).deserializer());
        deadLetters = driver.createOutputTopic(Topics.NOTIFICATION_SERVICE_DLT.name(), keyReader, new ByteArrayDeserializer());
    }

    /** Every delivery intent written so far, in order. */
    List<TestRecord<String, NotificationRequested>> intents() {
        intents.addAll(requests.readRecordsToList());
        return List.copyOf(intents);
    }

    /** The notifications decided so far, as the delivery consumer hands them to the channels. */
    List<Notification> notifications() {
        return intents().stream().map(record -> Messages.of(record.value())).toList();
    }

    TestInputTopic<String, byte[]> deadLetterTopic(String name) {
        return driver.createInputTopic(name, new StringSerializer(), new ByteArraySerializer());
    }

    /** A chart job's status with the given state and playlist stage; counts 9 succeeded + {@code failed}. */
    static JobStatus job(String jobId, JobState state, int failed, StageState playlist, String playlistDetail) {
        List<StageStatus> stages = new ArrayList<>();
        stages.add(StageStatus.newBuilder().setName(Stages.SEARCH).setState(StageState.SUCCEEDED).setDone(9 + failed).build());
        if (playlist != null) {
            stages.add(StageStatus.newBuilder().setName(Stages.PLAYLIST).setState(playlist).setDone(0)
                    .setDetail(playlistDetail).build());
        }
        return JobStatus.newBuilder()
                .setJobId(jobId)
                .setPipeline("beatport-chart")
                .setSourceRef("beatport/2026/11/22/top100")
                .setState(state)
                .setExpectedCount(9 + failed)
                .setSucceededCount(9)
                .setFailedCount(failed)
                .setSkippedCount(0)
                .setStages(stages)
                .setCountedStage(Stages.SEARCH)
                .setCreatedAt(START)
                .setFirstSeenAt(START)
                .setLastProgressAt(START)
                .setUpdatedAt(START)
                .setCompletedAt(state == JobState.RUNNING ? null : START.plus(Duration.ofMinutes(5).plusSeconds(3)))
                .build();
    }

    void send(JobStatus job) {
        status.pipeInput(job.getJobId(), job);
    }

    void item(String jobId, String itemId, ItemOutcome outcome, int attempt, String error) {
        items.pipeInput(jobId, ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome)
                .setAttempt(attempt).setError(error).setProcessedAt(START).build());
    }

    void stall(String jobId, Instant at) {
        stalled.pipeInput(jobId, JobStalled.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef("src")
                .setExpectedCount(10).setProcessedCount(3).setLastProgressAt(START).setStalledAt(at)
                .setReason("no progress for 10m").build());
    }

    void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
    }

    double counter(String name) {
        var counter = meters.find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        driver.close();
    }
}
