package io.tally.common.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes what a delivery worker's external call produced (its outcome events) together with the offset of the
 * input it consumed, in one short Kafka transaction that begins only after the call has returned (ADR 0009). A
 * crash before the commit aborts the outcomes and leaves the input uncommitted, so the call is made again under the
 * same idempotency key and the outcomes are written once; the transaction never spans the external call.
 * Spring Kafka's non-blocking retry topics cannot combine with container transactions, so the listener calls this
 * itself; the container's own offset commit afterwards writes the same offset again.
 */
public final class TransactionalOutcomes implements OutcomePublisher, AutoCloseable {

    private final DefaultKafkaProducerFactory<String, Object> factory;
    private final KafkaTemplate<String, Object> template;

    /**
     * @param producerConfig       producer settings (bootstrap servers, security), as Spring Boot builds them
     * @param serdes               the registry serdes; values are Avro records
     * @param transactionIdPrefix  prefix of the transactional ids; must be unique per service instance
     */
    public TransactionalOutcomes(Map<String, Object> producerConfig, AvroSerdes serdes, String transactionIdPrefix) {
        // The serializer arrives configured for the registry; configuring it again with the client map resets that.
        this.factory = new DefaultKafkaProducerFactory<>(producerConfig, new StringSerializer(),
                serdes.recordOrBytesSerializer(), false);
        factory.setTransactionIdPrefix(transactionIdPrefix);
        this.template = new KafkaTemplate<>(factory);
    }

    /**
     * Sends {@code outcomes} and commits {@code input}'s offset for {@code consumer}'s group in one transaction;
     * throws if the transaction does not commit (the input is then retried like any failed delivery).
     */
    @Override
    public void publish(ConsumerRecord<?, ?> input, Consumer<?, ?> consumer, List<ProducerRecord<String, Object>> outcomes) {
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(new TopicPartition(input.topic(), input.partition()),
                new OffsetAndMetadata(input.offset() + 1));
        template.executeInTransaction(operations -> {
            outcomes.forEach(operations::send);
            operations.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            return null;
        });
    }

    @Override
    public void close() {
        factory.destroy();
    }
}
