package io.tally.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.core.retry.RetryPolicy;

class RetryingSerializerTest {

    private static final RetryPolicy FAST = RetryPolicy.builder().maxRetries(3).delay(Duration.ofMillis(1)).build();

    @Test
    void succeedsWhenTheRegistryFailsOnceAndThenAnswers() {
        // Given a serializer whose first registration attempt fails
        AtomicInteger calls = new AtomicInteger();
        Serializer<String> flaky = (topic, data) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("409 conflict while creating the artifact");
            }
            return data.getBytes();
        };
        // When a value is serialized
        byte[] bytes = new RetryingSerializer<>(flaky, FAST).serialize("t", "value");
        // Then the second attempt's bytes are returned
        assertThat(bytes).isEqualTo("value".getBytes());
        assertThat(calls).hasValue(2);
    }

    @Test
    void givesUpAfterTheLastAttemptWithTheFailure() {
        // Given a registry that never answers
        AtomicInteger calls = new AtomicInteger();
        Serializer<String> down = (topic, data) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("registry unreachable");
        };
        // When a value is serialized, Then it fails after 1 + 3 attempts, naming the cause
        assertThatThrownBy(() -> new RetryingSerializer<>(down, FAST).serialize("t", "value"))
                .hasStackTraceContaining("registry unreachable");
        assertThat(calls).hasValue(4);
    }
}
