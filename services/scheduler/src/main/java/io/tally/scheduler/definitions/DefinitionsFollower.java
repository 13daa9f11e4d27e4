package io.tally.scheduler.definitions;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.scheduler.ReaderThread;
import io.tally.scheduler.Schedule;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Follows the compacted definitions topic ({@code tally.pipelines.definitions}) from its beginning, committed records
 * only, for as long as the replica runs, so a newly published version's schedules apply without a restart
 * ({@link PipelineSchedules} maps them). Every replica follows it, leading or not, so each one's schedule list is
 * whole. It reads with an assigned consumer and no group: the whole topic is the state, and nothing is committed.
 * Known gap: until the topic has been read once after start, the replica knows no declared schedule; a schedule due
 * in that moment still fires late (within {@code tally.scheduler.grace}) or by its missed-run policy.
 */
@Component
public class DefinitionsFollower implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsFollower.class);
    private static final String TOPIC = Topics.PIPELINE_DEFINITIONS.name();
    private static final Duration POLL = Duration.ofMillis(500);
    /** Wait before looking for the topic again, or before a fresh consumer after a failure. */
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProperties kafka;
    private final AvroSerdes serdes;
    private final PipelineSchedules schedules = new PipelineSchedules();
    private final ReaderThread loop = new ReaderThread("tally-scheduler-definitions");

    public DefinitionsFollower(KafkaProperties kafka, AvroSerdes serdes) {
        this.kafka = kafka;
        this.serdes = serdes;
    }

    /** The schedules of the latest version of every published pipeline, as read so far, disabled ones included. */
    public List<Schedule> schedules() {
        return schedules.current();
    }

    @Override
    public void start() {
        loop.start(this::run);
    }

    @Override
    public void stop() {
        loop.stop(JOIN_TIMEOUT);
    }

    @Override
    public boolean isRunning() {
        return loop.running();
    }

    private void run() {
        while (loop.running()) {
            try (KafkaConsumer<String, PipelineDefinitionPublished> client = new KafkaConsumer<>(consumerConfig(),
                    new StringDeserializer(), serdes.deserializer(PipelineDefinitionPublished.class))) {
                loop.polling(client);
                follow(client);
            } catch (WakeupException e) {
                // stop() woke the consumer up: leave the loop.
            } catch (RuntimeException e) {
                // Records are keyed by version, so reading the topic again from its beginning changes nothing.
                LOG.warn("Reading the pipeline definitions failed; reading them again in {}", RETRY, e);
                loop.pause(RETRY);
            } finally {
                loop.polling(null);
            }
        }
    }

    private void follow(KafkaConsumer<String, PipelineDefinitionPublished> client) {
        // The catalogue's topics are created at start, but possibly by another service that is still starting.
        boolean told = false;
        while (loop.running() && FromStart.assign(client, List.of(TOPIC)).isEmpty()) {
            if (!told) {
                LOG.info("Topic {} does not exist yet; looking for it every {}", TOPIC, RETRY);
                told = true;
            }
            loop.pause(RETRY);
        }
        while (loop.running()) {
            ConsumerRecords<String, PipelineDefinitionPublished> records;
            try {
                records = client.poll(POLL);
            } catch (RecordDeserializationException e) {
                // Only the definition publisher writes here; a foreign record must not stop the schedules.
                LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
                client.seek(e.topicPartition(), e.offset() + 1);
                continue;
            }
            if (records.isEmpty()) {
                continue;
            }
            for (ConsumerRecord<String, PipelineDefinitionPublished> record : records) {
                schedules.apply(record.key(), record.value());
            }
            if (schedules.refresh()) {
                LOG.info("Schedules of the published pipelines now: {}", schedules.current().stream()
                        .map(s -> s.name() + " (" + s.source() + (s.enabled() ? ", " + s.spec().cron() + " " + s.spec().zone()
                                : ", disabled") + ")").toList());
            }
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        // Assigned, not subscribed: the leadership group and its static member id are the leader's, not this reader's.
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }
}
