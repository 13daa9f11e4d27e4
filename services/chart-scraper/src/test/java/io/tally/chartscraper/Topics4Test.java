package io.tally.chartscraper;

import static io.tally.testsupport.KafkaTestClient.WAIT;

import io.tally.events.PipelineTriggered;
import io.tally.testsupport.KafkaTestClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Test helper: produce triggers and read committed records from the beginning of a topic. */
final class Topics4Test {

    private final KafkaTestClient kafka;

    Topics4Test(KafkaTestClient kafka) {
        this.kafka = kafka;
    }

    void sendTrigger(PipelineTriggered trigger) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(io.tally.common.topics.Topics.PIPELINE_TRIGGERS.name(),
                    trigger.getTriggerId(), trigger)).get();
        }
    }

    static PipelineTriggered trigger(String id, String pipeline, Map<String, String> parameters) {
        return PipelineTriggered.newBuilder().setTriggerId("manual:" + id).setJobId("job-" + id).setPipeline(pipeline)
                .setTriggeredAt(Instant.now()).setParameters(parameters).setRequestedBy("test").build();
    }

    /** Avro records of {@code type} on {@code topic} matching {@code filter}: waits for {@code expected}, then a moment more. */
    <T extends SpecificRecord> List<ConsumerRecord<String, T>> await(String topic, Class<T> type, Predicate<T> filter,
            int expected) {
        return kafka.await(topic, type, record -> record.value() != null && filter.test(record.value()), expected, WAIT);
    }

    /** Raw records on {@code topic} matching {@code filter}. */
    List<ConsumerRecord<String, byte[]>> awaitRaw(String topic, Predicate<ConsumerRecord<String, byte[]>> filter,
            int expected) {
        return kafka.awaitRaw(topic, filter, expected, WAIT);
    }
}
