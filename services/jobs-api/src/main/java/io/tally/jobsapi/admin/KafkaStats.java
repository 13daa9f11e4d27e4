package io.tally.jobsapi.admin;

import io.tally.jobsapi.ApiProperties;
import io.tally.common.topics.TopicSpec;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Reads dead-letter depths and consumer-group lag from the brokers through the admin client. Known gap: Kafka Streams
 * apps using the new "streams" group protocol are not listed (they use classic groups today).
 */
@Component
public class KafkaStats {

    /** Consumer groups of Tally services share this prefix (group id / application id {@code tally-<service>}). */
    static final String GROUP_PREFIX = "tally-";

    private final Admin admin;
    private final ApiProperties properties;

    public KafkaStats(Admin admin, ApiProperties properties) {
        this.admin = admin;
        this.properties = properties;
    }

    /**
     * Records held by each dead-letter topic, the catalogue's and every task type's that exists: end minus start
     * offset, summed over partitions.
     */
    public Map<String, Long> deadLetterDepths() {
        List<String> topics = new java.util.ArrayList<>(Topics.DEAD_LETTERS.stream().map(TopicSpec::name).toList());
        get(admin.listTopics().names()).stream().filter(TaskHeaders::isDeadLetterTopic).sorted().forEach(topics::add);
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames());
        List<TopicPartition> partitions = descriptions.values().stream()
                .flatMap(description -> description.partitions().stream()
                        .map(partition -> new TopicPartition(description.name(), partition.partition())))
                .toList();
        Map<TopicPartition, Long> start = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
        Map<String, Long> depths = new TreeMap<>();
        topics.forEach(topic -> depths.put(topic, 0L));
        partitions.forEach(partition -> depths.merge(partition.topic(), end.get(partition) - start.get(partition), Long::sum));
        return depths;
    }

    /** Total lag (end offset minus committed offset, over every committed partition) of each Tally consumer group. */
    public Map<String, Long> consumerLag() {
        List<String> groups = get(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()).stream()
                .map(GroupListing::groupId)
                .filter(group -> group.startsWith(GROUP_PREFIX))
                .toList();
        Map<String, Long> lag = new TreeMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
            Map<TopicPartition, OffsetAndMetadata> known = committed.entrySet().stream()
                    .filter(entry -> entry.getValue() != null)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            Map<TopicPartition, Long> end = offsets(List.copyOf(known.keySet()), OffsetSpec.latest());
            lag.put(group, known.entrySet().stream()
                    .mapToLong(entry -> Math.max(0, end.get(entry.getKey()) - entry.getValue().offset()))
                    .sum());
        }
        return lag;
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), partition -> spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = get(admin.listOffsets(request).all());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(properties.adminTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "interrupted while asking Kafka");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                    "Kafka did not answer the admin request: " + cause.getMessage());
        }
    }
}
