package io.tally.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.events.JobCreated;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The datum provider caches per schema instance, and still tells different schemas apart. */
class SchemaInstanceDatumProviderTest {

    private final SchemaInstanceDatumProvider<SpecificRecord> provider = new SchemaInstanceDatumProvider<>();

    @Test
    void reusesOneReaderAndOneWriterPerSchema() {
        // Given
        Schema schema = JobCreated.getClassSchema();
        JobCreated record = JobCreated.newBuilder().setJobId("j").setPipeline("p").setSourceRef("s")
                .setExpectedCount(1).setCountedStage("items").setStages(java.util.List.of("items"))
                .setCreatedAt(java.time.Instant.EPOCH).build();

        // When / Then
        assertThat(provider.createDatumReader(schema)).isSameAs(provider.createDatumReader(schema));
        assertThat(provider.createDatumWriter(record, schema)).isSameAs(provider.createDatumWriter(record, schema));
    }

    @Test
    void givesADifferentSchemaItsOwnReader() {
        // Given
        Schema created = JobCreated.getClassSchema();
        Schema completed = io.tally.events.JobCompleted.getClassSchema();

        // When / Then
        assertThat(provider.createDatumReader(created)).isNotSameAs(provider.createDatumReader(completed));
    }
}
