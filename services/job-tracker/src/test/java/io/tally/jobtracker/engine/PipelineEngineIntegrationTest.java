package io.tally.jobtracker.engine;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PipelineTriggered;
import io.tally.jobtracker.pipelines.DefinitionPublisher;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The engine in the running service, on a real broker and registry: definitions published from the pipelines folder
 * at start-up, the trigger re-keyed by job id, the global definitions store, and the registry codec.
 */
@TallyServiceTest(properties = {
        "tally.pipelines.dir=src/test/resources/pipelines",
        "tally.tracker.status-interval=100ms"})
class PipelineEngineIntegrationTest {

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    KafkaAdmin admin;

    @Autowired
    AvroSerdes serdes;

    @Autowired
    TallyKafkaProperties kafkaProperties;

    @TempDir
    Path changed;

    @Test
    void publishesTheFolderAndFailsAJobWhoseTaskTypeHasNoSchemaSayingWhy() throws Exception {
        // Given the service started with a pipelines folder; its task type's request and dead-letter topics exist,
        // the dead letters kept as long as the catalogue's
        try (Admin client = Admin.create(admin.getConfigurationProperties())) {
            assertThat(client.listTopics().names().get()).contains(TaskHeaders.requestTopic("no-such-worker"),
                    TaskHeaders.deadLetterTopic("no-such-worker"));
            ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC,
                    TaskHeaders.deadLetterTopic("no-such-worker"));
            assertThat(client.describeConfigs(List.of(deadLetters)).all().get().get(deadLetters)
                    .get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo(Long.toString(Duration.ofDays(28).toMillis()));
        }
        String triggerId = "manual:" + UUID.randomUUID();
        String jobId = "orphan-" + UUID.randomUUID();

        // When the pipeline is triggered, keyed by trigger id as the scheduler and the API do
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline("orphan").setTriggeredAt(Instant.now())
                    .setParameters(Map.of()).build())).get();
        }

        // Then the job ends FAILED once, and the reason names the missing schema
        assertThat(kafka.await(Topics.JOB_COMPLETED.name(), JobCompleted.class, KafkaTestClient.withKey(jobId), 1, WAIT))
                .singleElement().satisfies(record -> {
                    assertThat(record.value().getState()).isEqualTo(JobState.FAILED);
                    assertThat(record.value().getReason()).contains("lonely")
                            .contains("no input schema is registered as tally.tasks.no-such-worker-value");
                });
    }

    @Test
    void refusesAChangedFileThatKeepsAPublishedVersion() throws Exception {
        // Given orphan v1 is published, and a changed copy of it still says version 1
        String original = Files.readString(Path.of("src/test/resources/pipelines/orphan.yml"));
        Files.writeString(changed.resolve("orphan.yml"), original.replace("One stage that no worker serves", "Changed"));
        DefinitionPublisher publisher = new DefinitionPublisher(admin.getConfigurationProperties(), serdes, kafkaProperties);

        // When it is published, it is refused with the way out; the unchanged file publishes nothing new
        assertThatThrownBy(() -> publisher.publish(DefinitionPublisher.load(changed)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("version 1 of pipeline orphan is already published with other content")
                .hasMessageContaining("higher version");
        assertThat(publisher.publish(DefinitionPublisher.load(Path.of("src/test/resources/pipelines")))).isEmpty();
    }
}
