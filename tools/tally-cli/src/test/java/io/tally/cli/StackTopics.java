package io.tally.cli;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the end-to-end tests read from a running local stack's topics, as a consumer sees them (read_committed). */
final class StackTopics {

    private StackTopics() {
    }

    /** Follows one job until it has settled (then a few seconds more, to catch a duplicate) or {@code settle} passed. */
    static PipelineWatcher.Outcome watch(String bootstrapServers, AvroSerdes serdes, String jobId, Duration settle) {
        try (PipelineWatcher watcher = new PipelineWatcher(bootstrapServers, serdes, jobId, System.out::println)) {
            return watcher.await(settle, Duration.ofSeconds(3));
        }
    }

    /** Every committed record of {@code topic}, from the beginning. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            FromStart.assign(consumer, List.of(topic));
            int emptyPolls = 0;
            // Read until a few polls in a row bring nothing: the topic's committed end.
            while (emptyPolls < 5) {
                var polled = consumer.poll(Duration.ofMillis(500));
                emptyPolls = polled.isEmpty() ? emptyPolls + 1 : 0;
                polled.forEach(records::add);
            }
        }
        return records;
    }

    /** Why a job may not have settled: the consumer groups behind and the consumer threads not in a poll. */
    static String stillness(String bootstrapServers) {
        return lagging(bootstrapServers) + "; " + busyConsumerThreads();
    }

    /**
     * The stream and listener threads of this JVM's services that are not waiting in a poll (or that assign partitions
     * or run a rebalance listener inside one), each with its top frames.
     * Printed with {@link #lagging} when a job does not settle: a consumer that stood still says where it stood.
     */
    static String busyConsumerThreads() {
        StringBuilder busy = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, frames) -> {
            String name = thread.getName();
            boolean consumerThread = name.contains("StreamThread") || name.contains("-C-");
            boolean inPoll = Arrays.stream(frames).anyMatch(frame -> frame.getMethodName().equals("poll")
                    && frame.getClassName().equals("org.apache.kafka.clients.consumer.KafkaConsumer"));
            // A group leader computes the assignment, and rebalance listeners run, inside poll: that is not waiting.
            boolean working = Arrays.stream(frames).anyMatch(frame -> frame.getClassName().startsWith("io.tally.")
                    || frame.getClassName().contains("PartitionAssignor") || frame.getClassName().contains("RebalanceListener"));
            if (consumerThread && (!inPoll || working)) {
                busy.append("\n  ").append(name).append(' ').append(thread.getState());
                Arrays.stream(frames).limit(12).forEach(frame -> busy.append("\n    at ").append(frame));
            }
        });
        return busy.isEmpty() ? "every consumer thread is in a poll" : "consumer threads not in a poll:" + busy;
    }

    /**
     * Every consumer group that has not read to the end of a partition: group, state and lag per partition. Printed
     * when a job does not settle, so a slow run says which consumer stood still.
     */
    static String lagging(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<String, String> lagging = new TreeMap<>();
            for (ConsumerGroupListing group : admin.listConsumerGroups().all().get()) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                committed.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
                List<String> behind = new ArrayList<>();
                committed.forEach((partition, offset) -> {
                    long lag = ends.get(partition).offset() - (offset == null ? 0 : offset.offset());
                    if (lag > 0) {
                        behind.add(partition + " lag " + lag);
                    }
                });
                if (!behind.isEmpty()) {
                    lagging.put(group.groupId(), group.groupState().map(Object::toString).orElse("?") + " " + behind);
                }
            }
            return lagging.isEmpty() ? "no consumer group is behind" : "groups behind: " + lagging;
        } catch (Exception e) {
            return "could not read consumer group lag: " + e;
        }
    }
}
