package io.tally.common.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Retries a serialization that failed talking to the schema registry. Two producers registering the same new
 * schema at the same moment can make one of them fail (seen with Apicurio 2.4 on a fresh registry: a conflict on
 * the first artifact creation), and Kafka Streams would then drop that output record; a second try finds the
 * schema registered. Known gap: while the registry is down, each record waits for all attempts before failing.
 *
 * @param <T> the value type
 */
final class RetryingSerializer<T> implements Serializer<T> {

    static final RetryPolicy REGISTRY_HICCUPS = RetryPolicy.builder()
            .maxRetries(3).delay(Duration.ofMillis(200)).multiplier(2).build();

    private final Serializer<T> delegate;
    private final RetryTemplate retry;

    RetryingSerializer(Serializer<T> delegate, RetryPolicy policy) {
        this.delegate = delegate;
        this.retry = new RetryTemplate(policy);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        delegate.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return retry.invoke(() -> delegate.serialize(topic, data));
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        return retry.invoke(() -> delegate.serialize(topic, headers, data));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
