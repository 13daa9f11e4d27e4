package io.tally.scheduler;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.testsupport.KafkaTestClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Test helper: reads every committed trigger on the trigger topic, the way downstream services see them. */
public final class TriggerTopic {

    private TriggerTopic() {
    }

    /** All committed triggers matching {@code filter}, read from the beginning to the end offsets of the moment of the call. */
    public static List<ConsumerRecord<String, PipelineTriggered>> read(String brokers, AvroSerdes serdes,
            Predicate<PipelineTriggered> filter) {
        return new KafkaTestClient(brokers, serdes)
                .readAll(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class, Duration.ofSeconds(30)).stream()
                .filter(record -> filter.test(record.value()))
                .toList();
    }
}
