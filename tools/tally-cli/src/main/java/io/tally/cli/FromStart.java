package io.tally.cli;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Points a watching consumer at every partition of some topics from their beginning, without a consumer group. A
 * subscribed member without commits starts over after a rebalance (a late heartbeat on a busy machine is enough), and a
 * record read twice would look like a duplicate effect to the checks that count them.
 */
final class FromStart {

    private FromStart() {
    }

    static void assign(Consumer<?, ?> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }
}
