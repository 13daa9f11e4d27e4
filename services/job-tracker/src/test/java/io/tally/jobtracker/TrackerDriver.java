package io.tally.jobtracker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobStalled;
import io.tally.events.JobStatus;
import io.tally.testsupport.InMemorySchemaRegistry;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
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
 * A {@link TopologyTestDriver} around the tracker topology with the real Apicurio serdes over an in-memory registry,
 * and shorthands for the events the tests send. Runs at_least_once: the 4.2 driver drops dead-letter records under
 * exactly_once_v2 (EOS with the dead-letter topic is proven on a real broker in JobTrackerIntegrationTest).
 */
final class TrackerDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    static final TrackerProperties CONFIG = new TrackerProperties(
            Duration.ofMinutes(10), Duration.ofDays(1), Duration.ofSeconds(1), Duration.ofMillis(500), 10_000);

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final AvroSerdes serdes = AvroSerdes.forClient(registry);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TopologyTestDriver driver;
    final TestInputTopic<String, JobCreated> created;
    final TestInputTopic<String, ItemProcessed> items;
    final TestInputTopic<String, StageReported> stages;
    final TestInputTopic<String, byte[]> rawItems;
    final TestOutputTopic<String, JobCompleted> completed;
    final TestOutputTopic<String, JobStalled> stalled;
    final TestOutputTopic<String, JobStatus> status;
    final TestOutputTopic<String, byte[]> deadLetters;

    TrackerDriver() {
        this(CONFIG);
    }

    TrackerDriver(TrackerProperties config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tracker-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.JOB_TRACKER_DLT.name());
        driver = new TopologyTestDriver(JobTrackerTopology.build(config, serdes, meters), props, START);
        StringSerializer keys = new StringSerializer();
        created = driver.createInputTopic(Topics.JOB_CREATED.name(), keys, serdes.valueSerde(Topics.JOB_CREATED).serializer());
        items = driver.createInputTopic(Topics.ITEM_PROCESSED.name(), keys, serdes.valueSerde(Topics.ITEM_PROCESSED).serializer());
        stages = driver.createInputTopic(Topics.STAGE_REPORTED.name(), keys, serdes.valueSerde(Topics.STAGE_REPORTED).serializer());
        rawItems = driver.createInputTopic(Topics.ITEM_PROCESSED.name(), keys, new ByteArraySerializer());
        StringDeserializer keyReader = new StringDeserializer();
        completed = driver.createOutputTopic(Topics.JOB_COMPLETED.name(), keyReader, serdes.valueSerde(Topics.JOB_COMPLETED).deserializer());
        stalled = driver.createOutputTopic(Topics.JOB_STALLED.name(), keyReader, serdes.valueSerde(Topics.JOB_STALLED).deserializer());
        status = driver.createOutputTopic(Topics.JOB_STATUS.name(), keyReader, serdes.valueSerde(Topics.JOB_STATUS).deserializer());
        deadLetters = driver.createOutputTopic(Topics.JOB_TRACKER_DLT.name(), keyReader, Serdes.ByteArray().deserializer());
    }

    void create(String jobId, int expected) {
        create(JobCreated.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef("beatport/2026/11/22/top100")
                .setExpectedCount(expected).setCountedStage("search").setStages(List.of("scrape", "process", "search", "playlist"))
                .setCreatedAt(START).build());
    }

    void create(JobCreated job) {
        created.pipeInput(job.getJobId(), job);
    }

    void item(String jobId, String itemId, ItemOutcome outcome) {
        item(jobId, itemId, outcome, 1);
    }

    void item(String jobId, String itemId, ItemOutcome outcome, int attempt) {
        items.pipeInput(jobId, ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome)
                .setAttempt(attempt).setError(outcome == ItemOutcome.FAILED ? "search failed" : null)
                .setProcessedAt(START).build());
    }

    void stage(String jobId, String stage, StageState state) {
        stages.pipeInput(jobId, StageReported.newBuilder().setJobId(jobId).setStage(stage).setState(state)
                .setDone(state == StageState.SUCCEEDED ? 1 : 0).setTotal(1L).setReportedAt(START).build());
    }

    void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
    }

    /** The latest status of a job on the status topic after flushing pending status updates. */
    JobStatus latestStatus(String jobId) {
        advance(CONFIG.statusInterval());
        List<TestRecord<String, JobStatus>> records = status.readRecordsToList();
        return records.stream().filter(record -> record.key().equals(jobId)).reduce((first, second) -> second)
                .map(TestRecord::value).orElseThrow(() -> new AssertionError("no status published for " + jobId));
    }

    double counter(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).counter().count();
    }

    @Override
    public void close() {
        driver.close();
    }
}
