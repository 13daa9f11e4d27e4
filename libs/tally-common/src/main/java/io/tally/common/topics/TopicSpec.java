package io.tally.common.topics;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * One entry of the topic catalogue: a topic's name, its value type, partition count and cleanup policy.
 * Keys are always strings (a job id for job topics), so the key serde is not a per-topic choice.
 *
 * @param name          the topic name
 * @param valueType     the Avro class carried as value, or {@code byte[].class} for dead-letter topics that keep raw bytes
 * @param partitions    default partition count
 * @param jobKeyed      whether the topic is keyed by job id; all such topics must have the same partition count so a
 *                      job's events meet in one stream task (co-partitioning)
 * @param cleanupPolicy {@link TopicConfig#CLEANUP_POLICY_DELETE} or {@link TopicConfig#CLEANUP_POLICY_COMPACT}
 * @param retention     how long records are kept, or null for the broker default
 * @param <V>           the value type
 */
public record TopicSpec<V>(
        String name, Class<V> valueType, int partitions, boolean jobKeyed, String cleanupPolicy, Duration retention) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueType, "valueType");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1 for " + name);
        }
    }

    /** Whether the topic is log-compacted: it keeps the latest value per key (a table). */
    public boolean compacted() {
        return cleanupPolicy.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * The admin-client definition of this topic.
     *
     * @param partitionCount    partitions to create; the catalogue default unless an environment overrides it
     * @param replicationFactor replicas per partition
     */
    public NewTopic toNewTopic(int partitionCount, short replicationFactor) {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        if (retention != null) {
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
        }
        if (replicationFactor > 1) {
            // With one replica min.insync.replicas=2 would make every acks=all write fail.
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        return new NewTopic(name, partitionCount, replicationFactor).configs(configs);
    }
}
