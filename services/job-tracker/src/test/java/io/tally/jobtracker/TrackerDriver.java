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
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.testsupport.TallyTopologyDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The tracker topology in a {@link TallyTopologyDriver}, with shorthands for the events the tests send and the
 * topics they read. With {@code ordinals} every item is sent with an ordinal, numbered per job in first-sent order,
 * so the same tests run against both places item marks are kept (ADR 0023).
 */
final class TrackerDriver implements AutoCloseable {

    static final Instant START = TallyTopologyDriver.START;
    static final TrackerProperties CONFIG = new TrackerProperties(Duration.ofMinutes(10), Duration.ofDays(1),
            Duration.ofDays(3), Duration.ofSeconds(1), Duration.ofMillis(500), 10_000, Duration.ofMinutes(10), 65_536);

    final TrackerProperties config;
    final boolean ordinals;
    private final Map<String, Map<String, Integer>> ordinalsByJob = new HashMap<>();
    final TallyTopologyDriver tally;
    final TopologyTestDriver driver;
    final SimpleMeterRegistry meters;
    final AvroSerdes serdes;
    final TestInputTopic<String, JobCreated> created;
    final TestInputTopic<String, ItemProcessed> items;
    final TestInputTopic<String, StageReported> stages;
    final TestInputTopic<String, byte[]> rawItems;
    final TestOutputTopic<String, JobCompleted> completed;
    final TestOutputTopic<String, JobStalled> stalled;
    final TestOutputTopic<String, JobStatus> status;
    final TestOutputTopic<String, byte[]> deadLetters;

    TrackerDriver() {
        this(CONFIG, false);
    }

    TrackerDriver(TrackerProperties config) {
        this(config, false);
    }

    TrackerDriver(TrackerProperties config, boolean ordinals) {
        this.config = config;
        this.ordinals = ordinals;
        tally = new TallyTopologyDriver("job-tracker", Topics.JOB_TRACKER_DLT,
                (properties, serdes, meters) -> JobTrackerTopology.build(config, serdes, meters));
        driver = tally.driver();
        meters = tally.meters();
        serdes = tally.serdes();
        created = tally.input(Topics.JOB_CREATED);
        items = tally.input(Topics.ITEM_PROCESSED);
        stages = tally.input(Topics.STAGE_REPORTED);
        rawItems = tally.rawInput(Topics.ITEM_PROCESSED);
        completed = tally.output(Topics.JOB_COMPLETED);
        stalled = tally.output(Topics.JOB_STALLED);
        status = tally.output(Topics.JOB_STATUS);
        deadLetters = tally.rawOutput(Topics.JOB_TRACKER_DLT);
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
                .setProcessedAt(START).setOrdinal(ordinals ? ordinal(jobId, itemId) : null).build());
    }

    /** The item's ordinal in its job: the order in which this driver first sent each item id of the job. */
    int ordinal(String jobId, String itemId) {
        Map<String, Integer> job = ordinalsByJob.computeIfAbsent(jobId, id -> new HashMap<>());
        return job.computeIfAbsent(itemId, id -> job.size());
    }

    /** How many items of the job have a dedupe mark, wherever the tracker keeps them. */
    int markedItems(String jobId) {
        KeyValueStore<Bytes, ItemMark> perItem = driver.getKeyValueStore(JobTrackerTopology.ITEMS_STORE);
        int marked = 0;
        try (var iterator = perItem.prefixScan(ItemKey.jobPrefix(jobId), (topic, prefix) -> prefix.get())) {
            while (iterator.hasNext()) {
                iterator.next();
                marked++;
            }
        }
        OrdinalMarks marks = driver.<String, OrdinalMarks>getKeyValueStore(JobTrackerTopology.ORDINALS_STORE).get(jobId);
        if (marks != null) {
            for (int ordinal : ordinalsByJob.getOrDefault(jobId, Map.of()).values()) {
                marked += marks.get(ordinal) != null ? 1 : 0;
            }
        }
        return marked;
    }

    void stage(String jobId, String stage, StageState state) {
        stages.pipeInput(jobId, StageReported.newBuilder().setJobId(jobId).setStage(stage).setState(state)
                .setDone(state == StageState.SUCCEEDED ? 1 : 0).setTotal(1L).setReportedAt(START).build());
    }

    void advance(Duration duration) {
        tally.advance(duration);
    }

    /** The latest status of a job on the status topic after flushing pending status updates. */
    JobStatus latestStatus(String jobId) {
        // This driver's own interval: a test with another configuration must wait for its own flush.
        advance(config.statusInterval());
        List<TestRecord<String, JobStatus>> records = status.readRecordsToList();
        return records.stream().filter(record -> record.key().equals(jobId)).reduce((first, second) -> second)
                .map(TestRecord::value).orElseThrow(() -> new AssertionError("no status published for " + jobId));
    }

    double counter(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).counter().count();
    }

    @Override
    public void close() {
        tally.close();
    }
}
