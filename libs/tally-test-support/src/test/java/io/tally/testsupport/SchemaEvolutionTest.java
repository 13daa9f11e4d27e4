package io.tally.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.common.kafka.AvroSerdes;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * Contracts evolve under the registry's BACKWARD rule (docs/schema-evolution.md), on the real registry process: an
 * added optional field reaches old consumers unharmed, and a change that cannot read old data is refused.
 */
class SchemaEvolutionTest {

    private final SchemaRegistryProcess registry = SchemaRegistryProcess.shared();
    private final AvroSerdes serdes = AvroSerdes.forRegistry(registry.registryV2Url(), true);
    private final String topic = "evolution-" + UUID.randomUUID();

    @Test
    void anOldConsumerReadsANewerEventWithAnAddedOptionalField() {
        // Given: the current contract is registered by a producer of today
        JobCompleted today = completed();
        try (Serializer<SpecificRecord> current = serdes.serializer()) {
            current.serialize(topic, today);
        }
        // and a newer producer adds an optional field with a default, which BACKWARD accepts
        Schema newer = withField(JobCompleted.getClassSchema(),
                "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Where it ran.\"}");
        GenericRecord event = copy(today, newer);
        event.put("region", "eu-west");

        // When
        byte[] bytes;
        try (Serializer<Object> newerProducer = genericSerializer()) {
            bytes = newerProducer.serialize(topic, event);
        }
        JobCompleted read;
        try (Deserializer<JobCompleted> oldConsumer = serdes.deserializer(JobCompleted.class)) {
            read = oldConsumer.deserialize(topic, bytes);
        }

        // Then
        assertThat(read).isEqualTo(today);
    }

    @Test
    void theRegistryRefusesAChangeThatCannotReadOldData() {
        // Given
        try (Serializer<SpecificRecord> current = serdes.serializer()) {
            current.serialize(topic, completed());
        }
        // A required field without a default: the new schema cannot read events written before it.
        Schema incompatible = withField(JobCompleted.getClassSchema(),
                "{\"name\":\"priority\",\"type\":\"int\",\"doc\":\"Required, no default.\"}");
        GenericRecord event = copy(completed(), incompatible);
        event.put("priority", 1);

        // When / Then
        try (Serializer<Object> newerProducer = genericSerializer()) {
            assertThatThrownBy(() -> newerProducer.serialize(topic, event))
                    .hasStackTraceContaining("RuleViolationError");
        }
    }

    private Serializer<Object> genericSerializer() {
        AvroKafkaSerializer<Object> serializer = new AvroKafkaSerializer<>();
        serializer.configure(AvroSerdes.registryConfig(registry.registryV2Url(), true), false);
        return serializer;
    }

    private static JobCompleted completed() {
        Instant at = Instant.parse("2026-11-23T10:00:00Z");
        return JobCompleted.newBuilder().setJobId("job-1").setPipeline("beatport-chart").setSourceRef("chart-1")
                .setState(JobState.COMPLETED).setExpectedCount(2).setSucceededCount(2).setFailedCount(0)
                .setSkippedCount(0).setCreatedAt(at).setCompletedAt(at.plusSeconds(5)).build();
    }

    private static Schema withField(Schema schema, String fieldJson) {
        String json = schema.toString();
        int end = json.lastIndexOf(']');
        return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + json.substring(end));
    }

    private static GenericRecord copy(JobCompleted source, Schema schema) {
        GenericRecord target = new GenericData.Record(schema);
        for (Schema.Field field : source.getSchema().getFields()) {
            Object value = source.get(field.name());
            // Generic records carry timestamps as epoch millis and enums as symbols.
            if (value instanceof Instant instant) {
                value = instant.toEpochMilli();
            } else if (value instanceof Enum<?> symbol) {
                value = new GenericData.EnumSymbol(schema.getField(field.name()).schema(), symbol.name());
            }
            target.put(field.name(), value);
        }
        return target;
    }
}
