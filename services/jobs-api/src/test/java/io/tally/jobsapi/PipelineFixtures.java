package io.tally.jobsapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.common.topics.Topics;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.testsupport.KafkaTestClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Test data for pipeline definitions and engine-run jobs: plays the definition publisher and the tracker by producing
 * {@code PipelineDefinitionPublished}, {@code JobStatus} and {@code JobCompleted} records.
 */
public final class PipelineFixtures {

    private final KafkaTestClient kafka;

    public PipelineFixtures(KafkaTestClient kafka) {
        this.kafka = kafka;
    }

    /** A pipeline name no other test uses (the broker is shared by every test class). */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Version {@code version} of a three-stage pipeline: scrape, then search (a fan-out, continues on failure), then
     * notify after both; a required date, an integer limit with a default and a chart from a list. {@code extraStage}
     * adds a fourth stage after notify, so versions can differ.
     */
    public static String yaml(String name, int version, boolean extraStage) {
        return """
                name: %s
                description: Chart to playlist, for tests
                version: %d
                parameters:
                  date: {type: date, description: The chart date}
                  limit: {type: integer, default: "10"}
                  chart: {type: string, default: top-100, allowed: [top-100, hype-100]}
                schedules:
                  - name: weekly
                    cron: "0 0 8 * * MON"
                    zone: Europe/Berlin
                    parameters: {date: "2026-01-05"}
                stages:
                  - id: scrape
                    task: scrape-chart
                    timeout: 5m
                    retry: {attempts: 3, initialDelay: 2s}
                  - id: search
                    task: search-track
                    dependsOn: [scrape]
                    forEach: {items: "${stages.scrape.output.tracks}", itemKey: "${item.trackKey}"}
                    onFailure: continue
                  - id: notify
                    task: notify
                    dependsOn: [scrape, search]
                """.formatted(name, version) + (extraStage ? """
                  - id: archive
                    task: archive
                    dependsOn: [notify]
                """ : "");
    }

    /** Publishes {@code yaml} as the definition publisher does (checked by the loader first), keyed name@version. */
    public PipelineDefinition publish(String yaml) throws Exception {
        return publish(PipelineLoader.load("test.yml", yaml));
    }

    /**
     * Publishes the repository's own {@code pipelines/<name>.yml}, as the definition publisher does at start-up, so a
     * test runs the pipeline with the parameters production declares.
     */
    public PipelineDefinition publishRepositoryPipeline(String name) throws Exception {
        return publish(PipelineLoader.load(Path.of("../../pipelines", name + ".yml")));
    }

    private PipelineDefinition publish(PipelineDefinition definition) throws Exception {
        send(Topics.PIPELINE_DEFINITIONS.name(), PublishedDefinitions.key(definition.name(), definition.version()),
                PublishedDefinitions.of(definition, Instant.now()));
        return definition;
    }

    /** Publishes versions 1 (three stages) and 2 (four) of {@code name}. */
    public void publishTwoVersions(String name) throws Exception {
        publish(yaml(name, 1, false));
        publish(yaml(name, 2, true));
    }

    /** Waits for the one cancel request of {@code jobId} and checks who asked and why. */
    public void assertOneCancelRequest(String jobId, String requestedBy, String reason) {
        assertThat(kafka.await(Topics.JOB_CANCEL_REQUESTS.name(), JobCancelRequested.class,
                KafkaTestClient.withKey(jobId), 1, KafkaTestClient.WAIT)).singleElement().satisfies(record -> {
                    assertThat(record.value().getJobId()).isEqualTo(jobId);
                    assertThat(record.value().getRequestedBy()).isEqualTo(requestedBy);
                    assertThat(record.value().getReason()).isEqualTo(reason);
                });
    }

    /** A job the engine runs on {@code version} of {@code pipeline}: scrape done, search 3 of 5. */
    public static JobStatus engineJob(String jobId, String pipeline, int version, JobState state) {
        Instant now = Instant.now();
        return JobStatus.newBuilder().setJobId(jobId).setPipeline(pipeline).setPipelineVersion(version)
                .setSourceRef("test/" + jobId).setState(state).setExpectedCount(5).setSucceededCount(3)
                .setFailedCount(0).setSkippedCount(0).setCreatedAt(now).setFirstSeenAt(now).setLastProgressAt(now)
                .setUpdatedAt(now).setCompletedAt(state == JobState.RUNNING ? null : now)
                .setStages(List.of(
                        StageStatus.newBuilder().setName("scrape").setState(StageState.SUCCEEDED).setDone(1)
                                .setTotal(1L).build(),
                        StageStatus.newBuilder().setName("search").setState(StageState.RUNNING).setDone(3)
                                .setTotal(5L).build()))
                .build();
    }

    public void publish(JobStatus status) throws Exception {
        send(Topics.JOB_STATUS.name(), status.getJobId(), status);
    }

    /** The tracker's completion of {@code status}, with {@code reason}. */
    public void completed(JobStatus status, String reason) throws Exception {
        send(Topics.JOB_COMPLETED.name(), status.getJobId(), JobCompleted.newBuilder().setJobId(status.getJobId())
                .setPipeline(status.getPipeline()).setSourceRef(status.getSourceRef()).setState(status.getState())
                .setExpectedCount(5).setSucceededCount(3).setFailedCount(0).setCreatedAt(status.getCreatedAt())
                .setCompletedAt(Instant.now()).setReason(reason).build());
    }

    private void send(String topic, String key, SpecificRecord value) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }
}
