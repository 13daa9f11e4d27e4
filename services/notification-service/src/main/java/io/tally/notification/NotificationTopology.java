package io.tally.notification;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.ItemProcessed;
import io.tally.events.JobStalled;
import io.tally.events.JobStatus;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the notification service's Processor-API topology: two sub-topologies, one for the job-keyed topics (status,
 * stalls, items; co-partitioned) and one for the dead-letter topics (one partition each), each with its own sent-ids
 * store. Both only decide: each notification becomes one {@code NotificationRequested} on
 * {@code tally.notifications.requested}, which {@link NotificationDelivery} sends outside the transaction (ADR 0009).
 * A plain function: Spring only wires it, and tests drive it with {@code TopologyTestDriver}. Every node and store
 * has a fixed name, so changelog topics keep their names across releases.
 */
public final class NotificationTopology {

    public static final String STATUS_SOURCE = "job-status-source";
    public static final String STALLED_SOURCE = "job-stalled-source";
    public static final String ITEMS_SOURCE = "item-processed-source";
    public static final String DEAD_LETTERS_SOURCE = "dead-letters-source";
    public static final String JOB_PROCESSOR = "job-notifier";
    public static final String DEAD_LETTER_PROCESSOR = "dead-letter-notifier";
    public static final String JOB_REQUEST_SINK = "job-notification-requested-sink";
    public static final String DEAD_LETTER_REQUEST_SINK = "dead-letter-notification-requested-sink";

    /** Notification id → whether its delivery intent was written (job notifications). */
    public static final String SENT_STORE = "notify-sent";
    /** Notification id → whether its delivery intent was written (dead-letter notifications). */
    public static final String DEAD_LETTERS_SENT_STORE = "notify-dead-letters-sent";
    /**
     * {@code <notification id>:<channel>} → when it was delivered: a global copy of {@code tally.notifications.sent},
     * which the delivery consumer reads so that an intent written twice (a redelivered {@code notify-job} task, a
     * redriven or replayed intent) reaches each channel once.
     */
    public static final String DELIVERED_STORE = "notify-delivered";
    public static final String DELIVERED_SOURCE = "delivered-source";
    public static final String DELIVERED_PROCESSOR = "delivered-table";
    /** Job id → wall-clock time the wait began + the raw status: completed jobs waiting for their playlist stage. */
    public static final String PENDING_STORE = "notify-pending";
    /** Job id → up to {@code max-failed-items} failed items, listed in the failure notification. */
    public static final String FAILED_ITEMS_STORE = "notify-failed-items";

    private NotificationTopology() {
    }

    /**
     * Every dead-letter topic but this service's own (so its own failures never loop): the catalogue's and each task
     * type's {@code tally.dlt.tasks.<type>}, which come and go with the pipelines. A task type's DLT created after
     * start-up is picked up with the next metadata refresh ({@code metadata.max.age.ms}, 30 s in the service's
     * configuration); a record written to it before then is read from the start of the topic once it is picked up.
     */
    public static final Pattern WATCHED_DEAD_LETTERS = Pattern.compile(
            Pattern.quote("tally.dlt.") + "(?!" + Pattern.quote(Topics.NOTIFICATION_SERVICE_DLT.name().substring("tally.dlt.".length())) + "$).+");

    /** The catalogue's dead-letter topics this service watches: all but its own. */
    public static List<TopicSpec<byte[]>> watchedDeadLetters() {
        return Topics.DEAD_LETTERS.stream().filter(topic -> !topic.equals(Topics.NOTIFICATION_SERVICE_DLT)).toList();
    }

    /** A new topology that decides notifications. */
    public static Topology build(NotificationProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return addTo(new Topology(), config, serdes, meters);
    }

    /** Adds the deciding sources, processors, stores and the intent sinks to {@code topology}. */
    public static Topology addTo(Topology topology, NotificationProperties config, AvroSerdes serdes, MeterRegistry meters) {
        NotifyMetrics metrics = new NotifyMetrics(meters);

        topology.addSource(STATUS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.JOB_STATUS.name());
        topology.addSource(STALLED_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.JOB_STALLED.name());
        topology.addSource(ITEMS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.ITEM_PROCESSED.name());
        topology.addProcessor(JOB_PROCESSOR, () -> new JobNotifier(config, metrics, readers(serdes)::get),
                STATUS_SOURCE, STALLED_SOURCE, ITEMS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SENT_STORE),
                Serdes.String(), Serdes.String()), JOB_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE),
                Serdes.String(), Serdes.ByteArray()), JOB_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FAILED_ITEMS_STORE),
                Serdes.String(), FailedItem.LIST_SERDE), JOB_PROCESSOR);
        topology.addSink(JOB_REQUEST_SINK, Topics.NOTIFICATIONS_REQUESTED.name(), Serdes.String().serializer(), avro(serdes),
                JOB_PROCESSOR);

        topology.addSource(DEAD_LETTERS_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                WATCHED_DEAD_LETTERS);
        topology.addProcessor(DEAD_LETTER_PROCESSOR, () -> new DeadLetterNotifier(metrics), DEAD_LETTERS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEAD_LETTERS_SENT_STORE),
                Serdes.String(), Serdes.String()), DEAD_LETTER_PROCESSOR);
        topology.addSink(DEAD_LETTER_REQUEST_SINK, Topics.NOTIFICATIONS_REQUESTED.name(), Serdes.String().serializer(),
                avro(serdes), DEAD_LETTER_PROCESSOR);

        // Only the keys matter, so the values are not read: an unreadable value cannot stop the global thread.
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DELIVERED_STORE),
                        Serdes.String(), Serdes.Long()).withLoggingDisabled(), DELIVERED_SOURCE,
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.NOTIFICATIONS_SENT.name(),
                DELIVERED_PROCESSOR, DeliveredTable::new);
        return topology;
    }

    /** Keeps {@link #DELIVERED_STORE}: each sent record's key with its timestamp, a tombstone removes it. */
    private static final class DeliveredTable implements Processor<String, byte[], Void, Void> {

        private KeyValueStore<String, Long> delivered;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            delivered = context.getStateStore(DELIVERED_STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                delivered.delete(record.key());
            } else {
                delivered.put(record.key(), record.timestamp());
            }
        }
    }

    /** One set of readers per processor instance: each stream thread gets its own deserializers. */
    private static Map<Class<?>, Deserializer<?>> readers(AvroSerdes serdes) {
        return Map.of(
                JobStatus.class, serdes.deserializer(JobStatus.class),
                JobStalled.class, serdes.deserializer(JobStalled.class),
                ItemProcessed.class, serdes.deserializer(ItemProcessed.class));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Serializer avro(AvroSerdes serdes) {
        return (Serializer) serdes.<SpecificRecord>serializer();
    }
}
