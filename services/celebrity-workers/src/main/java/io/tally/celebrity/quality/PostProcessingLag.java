package io.tally.celebrity.quality;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the post-processor's consumer group is behind a topic, from the broker's own bookkeeping (end offsets and
 * the group's committed offsets through the admin client), so the quality check knows when the profiles of the
 * entries written so far exist. The caller owns the admin client.
 */
public final class PostProcessingLag {

    private static final long TIMEOUT_SECONDS = 10;

    private final Admin admin;
    private final String groupId;

    public PostProcessingLag(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** The end offset (committed records) of every partition of {@code topic}. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end offsets of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Records of {@code endOffsets} the group has not committed yet, summed over the partitions. */
    public long behind(Map<TopicPartition, Long> endOffsets) {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + groupId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of group " + groupId + ": " + e.getMessage(), e);
        }
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            behind += Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
        }
        return behind;
    }

    /** Polls {@link #behind} until it is 0 or {@code wait} has passed; returns the last figure. */
    public long awaitCaughtUp(Map<TopicPartition, Long> endOffsets, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long behind = behind(endOffsets);
        while (behind > 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            behind = behind(endOffsets);
        }
        return behind;
    }
}
