package io.tally.scheduler.definitions;

import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.common.topics.Topics;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.testsupport.KafkaTestClient;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Test data: the YAML of a one-stage pipeline definition with the given schedules, as the loader reads it, and its
 * publication as the job tracker's publisher does it.
 */
public final class TestDefinitions {

    private TestDefinitions() {
    }

    /** Version {@code version} of pipeline {@code name}: a chart parameter, {@code schedules}, one stage. */
    public static String yaml(String name, int version, String... schedules) {
        return """
                name: %s
                version: %d
                parameters:
                  chart: {type: string, default: top-100}
                schedules:
                %s
                stages:
                  - id: scrape
                    task: scrape-chart
                """.formatted(name, version, String.join("\n", schedules));
    }

    /**
     * One schedule entry, with its chart parameter; null leaves {@code enabled} or {@code missedRuns} to its default.
     */
    public static String schedule(String name, String cron, String zone, Boolean enabled, String missedRuns, String chart) {
        return "  - {name: %s, cron: \"%s\", zone: %s%s%s, parameters: {chart: %s}}".formatted(name, cron, zone,
                enabled == null ? "" : ", enabled: " + enabled, missedRuns == null ? "" : ", missedRuns: " + missedRuns,
                chart);
    }

    /** Publishes a definition as the job tracker's publisher does: checked by the loader, keyed name@version. */
    public static void publish(KafkaTestClient kafka, String yaml) throws Exception {
        PipelineDefinition definition = PipelineLoader.load("test.yml", yaml);
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_DEFINITIONS.name(),
                    PublishedDefinitions.key(definition.name(), definition.version()),
                    PublishedDefinitions.of(definition, Instant.now()))).get();
        }
    }
}
