package io.tally.jobsapi.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.topics.Topics;
import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.testsupport.TallyTopologyDriver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The view topology in a {@link TallyTopologyDriver}. */
class JobViewTopologyTest {

    private static final Instant NOW = TallyTopologyDriver.START;

    private final JobIndex index = new JobIndex();
    private TallyTopologyDriver tally;
    private TopologyTestDriver driver;
    private TestInputTopic<String, JobStatus> statuses;
    private TestInputTopic<String, IdempotencyKeyUsed> keys;
    private TestInputTopic<String, ItemProcessed> items;
    private TestInputTopic<String, byte[]> rawItems;

    @BeforeEach
    void startDriver() {
        // As in jobs-api.yml, no dead-letter topic: an undeserializable record is logged and skipped.
        tally = new TallyTopologyDriver("jobs-api", (properties, registrySerdes, meters) ->
                JobViewTopology.build(registrySerdes, index));
        driver = tally.driver();
        statuses = tally.input(Topics.JOB_STATUS);
        keys = tally.input(Topics.API_IDEMPOTENCY);
        items = tally.input(Topics.ITEM_PROCESSED);
        rawItems = tally.rawInput(Topics.ITEM_PROCESSED);
    }

    @AfterEach
    void closeDriver() {
        tally.close();
    }

    @Test
    void keepsTheLatestStatusOfEachJob() {
        // Given two statuses of one job and one of another
        statuses.pipeInput("job-1", status("job-1", JobState.RUNNING, 1));
        statuses.pipeInput("job-2", status("job-2", JobState.RUNNING, 0));
        statuses.pipeInput("job-1", status("job-1", JobState.COMPLETED, 3));
        // When the view is read
        KeyValueStore<String, JobStatus> view = driver.getKeyValueStore(JobViewTopology.JOBS_STORE);
        // Then each job has its latest status
        assertThat(view.get("job-1").getState()).isEqualTo(JobState.COMPLETED);
        assertThat(view.get("job-1").getSucceededCount()).isEqualTo(3);
        assertThat(view.get("job-2").getState()).isEqualTo(JobState.RUNNING);
        List<String> jobIds = new ArrayList<>();
        try (KeyValueIterator<String, JobStatus> all = view.all()) {
            all.forEachRemaining(entry -> jobIds.add(entry.key));
        }
        assertThat(jobIds).containsExactlyInAnyOrder("job-1", "job-2");
    }

    @Test
    void removesAJobWhenATombstoneArrives() {
        // Given a job in the view
        statuses.pipeInput("job-1", status("job-1", JobState.COMPLETED, 3));
        statuses.pipeInput("job-2", status("job-2", JobState.RUNNING, 1));
        // When a tombstone for it arrives
        statuses.pipeInput("job-1", (JobStatus) null);
        // Then it is gone and the other job stays
        KeyValueStore<String, JobStatus> view = driver.getKeyValueStore(JobViewTopology.JOBS_STORE);
        assertThat(view.get("job-1")).isNull();
        assertThat(view.get("job-2")).isNotNull();
    }

    @Test
    void theListIndexFollowsTheStoreThroughUpdatesRedeliveriesAndTombstones() {
        // Given listeners on the index, and statuses of three jobs, one redelivered
        List<String> heard = new ArrayList<>();
        index.addListener(status -> heard.add(status.getJobId() + ":" + status.getState()));
        statuses.pipeInput("job-1", status("job-1", JobState.RUNNING, 1));
        statuses.pipeInput("job-2", status("job-2", JobState.RUNNING, 0));
        statuses.pipeInput("job-3", status("job-3", JobState.COMPLETED, 3));
        statuses.pipeInput("job-3", status("job-3", JobState.COMPLETED, 3));
        // When one job is tombstoned
        statuses.pipeInput("job-2", (JobStatus) null);
        // Then the index lists what the store holds, filters by state, and listeners heard every status
        assertThat(index.page(null, null, 0, 10).jobIds()).containsExactlyInAnyOrder("job-1", "job-3");
        assertThat(index.page(JobState.COMPLETED, null, 0, 10).jobIds()).containsExactly("job-3");
        assertThat(index.size()).isEqualTo(2);
        assertThat(heard).containsExactly("job-1:RUNNING", "job-2:RUNNING", "job-3:COMPLETED", "job-3:COMPLETED");
    }

    @Test
    void remembersIdempotencyKeysAndKeepsTheFirstAnswerOnRedelivery() {
        // Given a used key, delivered twice
        IdempotencyKeyUsed used = IdempotencyKeyUsed.newBuilder().setIdempotencyKey("k-1").setRequestHash("abc")
                .setPipeline("beatport-chart").setTriggerId("api:k-1").setJobId("job-1").setUsedAt(NOW).build();
        keys.pipeRecordList(List.of(new TestRecord<>("k-1", used),
                new TestRecord<>("k-1", used)));
        // When the idempotency view is read
        KeyValueStore<String, IdempotencyKeyUsed> view = driver.getKeyValueStore(JobViewTopology.IDEMPOTENCY_STORE);
        // Then the key answers the first job id
        assertThat(view.get("k-1").getJobId()).isEqualTo("job-1");
        assertThat(view.get("k-2")).isNull();
    }

    @Test
    void keepsTheLatestAttemptOfEachItemAndIgnoresAnOlderAttemptArrivingLate() {
        // Given attempt 1 of an item failing, then attempt 3 succeeding, then attempt 2 arriving late, and a redelivery
        items.pipeInput("job-1", item("job-1", "track-a", ItemOutcome.FAILED, 1, "YouTube quota exceeded"));
        items.pipeInput("job-1", item("job-1", "track-a", ItemOutcome.SUCCEEDED, 3, null));
        items.pipeInput("job-1", item("job-1", "track-a", ItemOutcome.FAILED, 2, "timeout"));
        items.pipeInput("job-1", item("job-1", "track-b", ItemOutcome.FAILED, 1, "no video found"));
        items.pipeInput("job-1", item("job-1", "track-b", ItemOutcome.FAILED, 1, "no video found"));
        // When the item store is read
        KeyValueStore<String, ItemProcessed> store = driver.getKeyValueStore(JobViewTopology.ITEMS_STORE);
        // Then each item holds its highest attempt, with that attempt's outcome and error
        ItemProcessed a = store.get(JobViewTopology.itemKey("job-1", "track-a"));
        assertThat(a.getAttempt()).isEqualTo(3);
        assertThat(a.getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        assertThat(a.getError()).isNull();
        ItemProcessed b = store.get(JobViewTopology.itemKey("job-1", "track-b"));
        assertThat(b.getOutcome()).isEqualTo(ItemOutcome.FAILED);
        assertThat(b.getError()).isEqualTo("no video found");
        assertThat(itemIds(store, "job-1")).containsExactly("track-a", "track-b");
    }

    @Test
    void aPrefixScanOfOneJobNeverReturnsItemsOfAJobWhoseIdStartsTheSame() {
        // Given items of job-1 and of job-10
        items.pipeInput("job-1", item("job-1", "x", ItemOutcome.SUCCEEDED, 1, null));
        items.pipeInput("job-10", item("job-10", "y", ItemOutcome.SUCCEEDED, 1, null));
        items.pipeInput("job-10", item("job-10", "z", ItemOutcome.SKIPPED, 1, "duplicate"));
        // When each job's items are scanned by prefix
        KeyValueStore<String, ItemProcessed> store = driver.getKeyValueStore(JobViewTopology.ITEMS_STORE);
        // Then each scan holds only its own job's items
        assertThat(itemIds(store, "job-1")).containsExactly("x");
        assertThat(itemIds(store, "job-10")).containsExactly("y", "z");
    }

    @Test
    void skipsPoisonItemRecordsAndKeepsUpdatingTheView() {
        // Given an item in the view
        items.pipeInput("job-1", item("job-1", "track-a", ItemOutcome.SUCCEEDED, 1, null));
        // When records that are not items of a job arrive: bytes that are no Avro, a tombstone, a record whose key
        // names another job, and one without an item id
        rawItems.pipeInput("job-1", "not avro at all".getBytes(StandardCharsets.UTF_8));
        items.pipeInput("job-1", (ItemProcessed) null);
        items.pipeInput("job-2", item("job-1", "track-x", ItemOutcome.FAILED, 1, "mismatched key"));
        items.pipeInput("job-1", item("job-1", "", ItemOutcome.FAILED, 1, "no id"));
        // and then a valid item
        items.pipeInput("job-1", item("job-1", "track-b", ItemOutcome.FAILED, 1, "no video found"));
        // Then the poison records left no trace and the valid item after them is in the view
        KeyValueStore<String, ItemProcessed> store = driver.getKeyValueStore(JobViewTopology.ITEMS_STORE);
        assertThat(itemIds(store, "job-1")).containsExactly("track-a", "track-b");
        assertThat(itemIds(store, "job-2")).isEmpty();
    }

    private static List<String> itemIds(KeyValueStore<String, ItemProcessed> store, String jobId) {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, ItemProcessed> scan = store.prefixScan(JobViewTopology.itemKeyPrefix(jobId),
                new StringSerializer())) {
            scan.forEachRemaining(entry -> ids.add(entry.value.getItemId()));
        }
        return ids;
    }

    static ItemProcessed item(String jobId, String itemId, ItemOutcome outcome, int attempt, String error) {
        return ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome).setAttempt(attempt)
                .setError(error).setProcessedAt(NOW.plusSeconds(attempt)).build();
    }

    static JobStatus status(String jobId, JobState state, int succeeded) {
        return JobStatus.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef("chart/" + jobId)
                .setState(state).setExpectedCount(3).setSucceededCount(succeeded).setFailedCount(0).setSkippedCount(0)
                .setCreatedAt(NOW).setFirstSeenAt(NOW).setLastProgressAt(NOW).setUpdatedAt(NOW)
                .setCompletedAt(state == JobState.COMPLETED ? NOW : null).build();
    }
}
