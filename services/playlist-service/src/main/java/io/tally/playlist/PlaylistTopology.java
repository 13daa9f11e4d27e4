package io.tally.playlist;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolved;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the playlist service's topology: the tables the {@code build-playlist} task and the on-demand endpoint read
 * by interactive query, as global stores (every instance holds them whole). A plain function: Spring only wires it,
 * and tests drive it with {@code TopologyTestDriver}. It has no stream task and makes no decision: playlists are made
 * by the task's worker and the endpoint, outside any Streams transaction (ADR 0009).
 */
public final class PlaylistTopology {

    public static final String CHARTS_SOURCE = "charts-source";
    public static final String TRACKS_SOURCE = "tracks-source";
    public static final String PLAYLISTS_CREATED_SOURCE = "playlists-created-source";

    /** Global store: sourceKey → ChartPublished (the compacted charts topic), for the on-demand endpoint. */
    public static final String CHARTS_STORE = "playlist-charts";
    /** Global store: trackKey → TrackResolved (the compacted tracks topic). */
    public static final String TRACKS_STORE = "playlist-tracks";
    /**
     * Global store: sourceRef → the playlist made for the chart edition, the first {@code PlaylistCreated} of it on
     * {@code tally.playlists.created} (keyed by job id there), whichever job made it; the build-playlist task and the
     * on-demand endpoint read it.
     */
    public static final String CHART_PLAYLISTS_STORE = "playlist-made-for-chart";

    private PlaylistTopology() {
    }

    /** A new topology of the playlist service's tables. */
    public static Topology build(AvroSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes);
        return builder.build();
    }

    /** Adds the global stores of the charts, tracks and playlists-made tables to {@code builder}. */
    public static void addTo(StreamsBuilder builder, AvroSerdes serdes) {
        Serde<String> keys = Serdes.String();
        Serde<ChartPublished> charts = serdes.valueSerde(Topics.CHARTS_PUBLISHED);
        Serde<TrackResolved> tracks = serdes.valueSerde(Topics.TRACKS);
        // Global stores are never logged: the compacted source topic is their changelog.
        // The sources read bytes and the updaters decode them: an unreadable record on a global topic must not stop
        // the service, and the global thread can neither dead-letter it nor skip it through the handlers.
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHARTS_STORE), keys, charts)
                        .withLoggingDisabled(),
                Topics.CHARTS_PUBLISHED.name(), Consumed.with(keys, Serdes.ByteArray()).withName(CHARTS_SOURCE),
                () -> new TableUpdater<>(CHARTS_STORE, charts.deserializer()));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TRACKS_STORE), keys, tracks)
                        .withLoggingDisabled(),
                Topics.TRACKS.name(), Consumed.with(keys, Serdes.ByteArray()).withName(TRACKS_SOURCE),
                () -> new TableUpdater<>(TRACKS_STORE, tracks.deserializer()));
        // Re-keyed by sourceRef in the updater: the global thread restores through it too (addGlobalStore reprocesses).
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHART_PLAYLISTS_STORE), keys,
                        PlaylistStoreSerdes.playlistCreated()).withLoggingDisabled(),
                Topics.PLAYLISTS_CREATED.name(), Consumed.with(keys, Serdes.ByteArray()).withName(PLAYLISTS_CREATED_SOURCE),
                () -> new FirstPlaylistOfChart(serdes.valueSerde(Topics.PLAYLISTS_CREATED).deserializer()));
    }

    /**
     * Keeps {@link #CHART_PLAYLISTS_STORE}: each chart edition's first playlist, by {@code createdAt} (then job id), so
     * the row does not depend on the order the global thread reads the job-keyed partitions in, and a later job that
     * made the same playlist again (the adapters are idempotent per chart) does not take it over. Records without a
     * sourceRef or URL, tombstones (keyed by job id, they name no chart) and unreadable records are skipped. Known gap:
     * {@code tally.playlists.created} is a deleting topic, so a store rebuilt from scratch forgets the playlists older
     * than its retention.
     */
    private static final class FirstPlaylistOfChart implements Processor<String, byte[], Void, Void> {

        private static final Logger log = LoggerFactory.getLogger(FirstPlaylistOfChart.class);

        private final Deserializer<PlaylistCreated> values;
        private KeyValueStore<String, PlaylistCreated> store;

        FirstPlaylistOfChart(Deserializer<PlaylistCreated> values) {
            this.values = values;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(CHART_PLAYLISTS_STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.value() == null) {
                return;
            }
            PlaylistCreated created;
            try {
                created = values.deserialize(Topics.PLAYLISTS_CREATED.name(), record.value());
            } catch (RuntimeException e) {
                log.warn("Skipping an unreadable record with key '{}' on {} ({})", record.key(),
                        Topics.PLAYLISTS_CREATED.name(), e.getMessage());
                return;
            }
            if (created.getSourceRef().isBlank() || created.getUrl().isBlank()) {
                return;
            }
            PlaylistCreated kept = store.get(created.getSourceRef());
            if (kept == null || isEarlier(created, kept)) {
                store.put(created.getSourceRef(), created);
            }
        }

        private static boolean isEarlier(PlaylistCreated created, PlaylistCreated kept) {
            int byTime = created.getCreatedAt().compareTo(kept.getCreatedAt());
            return byTime < 0 || byTime == 0 && created.getJobId().compareTo(kept.getJobId()) < 0;
        }
    }

    /**
     * Keeps a global store equal to its compacted topic: a tombstone deletes the row. A record that cannot be read is
     * logged and skipped, keeping the row's previous value: the chart or track then looks missing or old to the
     * playlist, which is the same as a chart not yet published. Known gap: such a record reaches no dead-letter
     * topic, because the global-store thread has no producer.
     */
    private static final class TableUpdater<V> implements Processor<String, byte[], Void, Void> {

        private static final Logger log = LoggerFactory.getLogger(TableUpdater.class);

        private final String storeName;
        private final Deserializer<V> values;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, V> store;

        TableUpdater(String storeName, Deserializer<V> values) {
            this.storeName = storeName;
            this.values = values;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
                return;
            }
            String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(storeName);
            V value;
            try {
                value = values.deserialize(topic, record.value());
            } catch (RuntimeException e) {
                log.warn("Skipping an unreadable record with key '{}' on {} ({}); the {} row keeps its previous value",
                        record.key(), topic, e.getMessage(), storeName);
                return;
            }
            store.put(record.key(), value);
        }
    }
}
