package io.tally.common.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a delivery worker's outcome records together with its input's offset; {@link TransactionalOutcomes} on Kafka. */
@FunctionalInterface
public interface OutcomePublisher {

    /** Writes {@code outcomes} and commits {@code input}'s offset for {@code consumer}'s group, or throws. */
    void publish(ConsumerRecord<?, ?> input, Consumer<?, ?> consumer, List<ProducerRecord<String, Object>> outcomes);
}
