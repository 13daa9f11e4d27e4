package io.tally.api.view;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import io.tally.events.JobStatus;

/**
 * Builds the jobs API's read-only topology: two global tables, so every API instance holds the whole job view and every
 * used idempotency key (docs/adr/0007-job-state-through-a-materialized-view.md). A plain function: Spring only wires it.
 * The job store is a global store with its own update processor (the same timestamped store a global table builds),
 * so that every change also reaches the {@link JobIndex}: the list pages from that index, and the dashboard's live
 * updates listen to it. Known gap: a global store is restored from the topic itself, so its values keep the registry
 * framing and every read deserializes through the (caching) Avro serde.
 */
public final class JobViewTopology {

    /** Job id → latest {@code JobStatus}, from {@link Topics#JOB_STATUS}; tombstones delete. */
    public static final String JOBS_STORE = "api-job-view";
    /** Idempotency key → {@code IdempotencyKeyUsed}, from {@link Topics#API_IDEMPOTENCY}. */
    public static final String IDEMPOTENCY_STORE = "api-idempotency-keys";
    public static final String JOBS_SOURCE = "api-job-status-source";
    public static final String IDEMPOTENCY_SOURCE = "api-idempotency-source";

    private JobViewTopology() {
    }

    /** Name of the processor that writes {@link #JOBS_STORE} and the index. */
    public static final String JOBS_UPDATER = "api-job-view-updater";

    /** A new topology with both views in it, and an index nobody reads (for tests of the stores alone). */
    public static Topology build(AvroSerdes serdes) {
        return build(serdes, new JobIndex());
    }

    /** A new topology with both views in it; job changes also go to {@code index}. */
    public static Topology build(AvroSerdes serdes, JobIndex index) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes, index);
        return builder.build();
    }

    /** Adds the job store (feeding {@code index}) and the idempotency table to {@code builder}. */
    public static StreamsBuilder addTo(StreamsBuilder builder, AvroSerdes serdes, JobIndex index) {
        builder.addGlobalStore(
                Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(JOBS_STORE),
                        Serdes.String(), serdes.valueSerde(Topics.JOB_STATUS)).withLoggingDisabled(),
                Topics.JOB_STATUS.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(Topics.JOB_STATUS)).withName(JOBS_SOURCE),
                () -> new JobStoreUpdater(index));
        globalTable(builder, Topics.API_IDEMPOTENCY, IDEMPOTENCY_SOURCE, IDEMPOTENCY_STORE, serdes);
        return builder;
    }

    /**
     * Writes each status (or tombstone) to the job store, then to the index. On init the store is already restored,
     * so the index starts as a copy of it; after that, this processor sees every change.
     */
    static final class JobStoreUpdater implements Processor<String, JobStatus, Void, Void> {

        private final JobIndex index;
        private TimestampedKeyValueStore<String, JobStatus> store;

        JobStoreUpdater(JobIndex index) {
            this.index = index;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(JOBS_STORE);
            index.clear();
            try (KeyValueIterator<String, ValueAndTimestamp<JobStatus>> all = store.all()) {
                all.forEachRemaining(entry -> {
                    if (entry.value != null && entry.value.value() != null) {
                        index.load(entry.key, entry.value.value());
                    }
                });
            }
        }

        @Override
        public void process(Record<String, JobStatus> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
            }
            index.update(record.key(), record.value());
        }
    }

    private static <V> void globalTable(StreamsBuilder builder, TopicSpec<V> topic, String sourceName, String storeName,
            AvroSerdes serdes) {
        builder.globalTable(topic.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(topic)).withName(sourceName),
                Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(storeName)
                        .withKeySerde(Serdes.String()).withValueSerde(serdes.valueSerde(topic)));
    }
}
