package io.tally.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.events.JobCreated;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The single-object serde that state stores and internal topics use instead of the registry. */
class SingleObjectSerdeTest {

    private final Serde<JobCreated> serde = SingleObjectSerde.of(JobCreated::toByteBuffer, JobCreated::fromByteBuffer);

    @Test
    void readsBackWhatItWrote() {
        // Given a record
        JobCreated job = JobCreated.newBuilder().setJobId("job-1").setPipeline("p").setSourceRef("s")
                .setExpectedCount(3).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
        // When it is written and read back
        byte[] bytes = serde.serializer().serialize("topic", job);
        // Then it is equal, and the bytes start with the single-object marker C3 01
        assertThat(serde.deserializer().deserialize("topic", bytes)).isEqualTo(job);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
    }

    @Test
    void passesTombstonesThroughAsNull() {
        assertThat(serde.serializer().serialize("topic", null)).isNull();
        assertThat(serde.deserializer().deserialize("topic", null)).isNull();
    }
}
