package io.tally.api.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.testsupport.InMemorySchemaRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The view topology on a {@link TopologyTestDriver} with the real Apicurio serdes over an in-memory registry. */
class JobViewTopologyTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private final AvroSerdes serdes = AvroSerdes.forClient(new InMemorySchemaRegistry());
    private final JobIndex index = new JobIndex();
    private TopologyTestDriver driver;
    private TestInputTopic<String, JobStatus> statuses;
    private TestInputTopic<String, IdempotencyKeyUsed> keys;

    @BeforeEach
    void startDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "jobs-api-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/kafka-streams-state/" + UUID.randomUUID());
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        driver = new TopologyTestDriver(JobViewTopology.build(serdes, index), props, NOW);
        statuses = driver.createInputTopic(Topics.JOB_STATUS.name(), new StringSerializer(),
                serdes.valueSerde(Topics.JOB_STATUS).serializer());
        keys = driver.createInputTopic(Topics.API_IDEMPOTENCY.name(), new StringSerializer(),
                serdes.valueSerde(Topics.API_IDEMPOTENCY).serializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
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

    static JobStatus status(String jobId, JobState state, int succeeded) {
        return JobStatus.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef("chart/" + jobId)
                .setState(state).setExpectedCount(3).setSucceededCount(succeeded).setFailedCount(0).setSkippedCount(0)
                .setCreatedAt(NOW).setFirstSeenAt(NOW).setLastProgressAt(NOW).setUpdatedAt(NOW)
                .setCompletedAt(state == JobState.COMPLETED ? NOW : null).build();
    }
}
