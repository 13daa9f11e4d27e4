package io.tally.playlist;

import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.JobStates;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.JobCompleted;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.StageReported;
import io.tally.events.TrackResolved;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the playlist service's topology. A plain function: Spring only wires it, and tests drive it with
 * {@code TopologyTestDriver}.
 * <p>
 * JobCompleted records are validated (poison records go to the dead-letter topic through the processing exception
 * handler), filtered to the configured pipelines and re-keyed by sourceRef through an explicitly named repartition
 * topic, so all jobs of one chart meet in one task and its {@link #PLAYLISTS_STORE} can guarantee one playlist per
 * chart. The charts and tracks tables are global stores, and so is the playlist made for each chart edition as
 * {@code tally.playlists.created} tells it ({@link #CHART_PLAYLISTS_STORE}, for the build-playlist task). Outputs are
 * routed by value type to PlaylistRequested (the delivery intent that {@link PlaylistDelivery} makes outside the
 * transaction, ADR 0009), StageReported and (for a chart that never arrived, as Avro bytes of the JobCompleted) the
 * service's dead-letter topic.
 */
public final class PlaylistTopology {

    public static final String JOBS_SOURCE = "job-completed-source";
    public static final String VALIDATE = "validate-job-completed";
    public static final String PIPELINE_FILTER = "configured-pipelines";
    public static final String KEY_BY_SOURCE = "key-by-source-ref";
    /** Repartition topic {@code <application.id>-playlist-jobs-by-source-ref-repartition}. */
    public static final String BY_SOURCE_REPARTITION = "playlist-jobs-by-source-ref";
    public static final String PLAYLIST_PROCESSOR = "playlist-maker";
    public static final String OUTPUTS_SINK = "playlist-outputs";
    public static final String CHARTS_SOURCE = "charts-source";
    public static final String TRACKS_SOURCE = "tracks-source";
    public static final String PLAYLISTS_CREATED_SOURCE = "playlists-created-source";

    /** Global store: sourceKey → ChartPublished (the compacted charts topic). */
    public static final String CHARTS_STORE = "playlist-charts";
    /** Global store: trackKey → TrackResolved (the compacted tracks topic). */
    public static final String TRACKS_STORE = "playlist-tracks";
    /** jobId → job waiting for its chart or tracks, with its deadline. */
    public static final String PENDING_STORE = "playlist-pending";
    /** sourceRef → the chart's one playlist: a placeholder (blank id and URL) once requested, as PlaylistCreated. */
    public static final String PLAYLISTS_STORE = "playlists";
    /**
     * Global store: sourceRef → the playlist made for the chart edition, the first {@code PlaylistCreated} of it on
     * {@code tally.playlists.created} (keyed by job id there), whichever path made it; the build-playlist task reads it.
     */
    public static final String CHART_PLAYLISTS_STORE = "playlist-made-for-chart";


    private PlaylistTopology() {
    }

    /** A new topology that decides playlists for the adapter named {@code adapterName}. */
    public static Topology build(PlaylistProperties config, AvroSerdes serdes, String adapterName, PlaylistMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, config, serdes, adapterName, metrics);
        return builder.build();
    }

    /** Adds the playlist maker's sources, stores, processor and sinks to {@code builder}. */
    public static void addTo(StreamsBuilder builder, PlaylistProperties config, AvroSerdes serdes, String adapterName,
                             PlaylistMetrics metrics) {
        Serde<String> keys = Serdes.String();
        Serde<JobCompleted> jobs = serdes.valueSerde(Topics.JOB_COMPLETED);
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
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), keys,
                PlaylistStoreSerdes.pendingJob()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PLAYLISTS_STORE), keys,
                PlaylistStoreSerdes.playlistCreated()));

        Set<String> pipelines = Set.copyOf(config.pipelines());
        builder.stream(Topics.JOB_COMPLETED.name(), Consumed.with(keys, jobs).withName(JOBS_SOURCE))
                .mapValues((jobId, job) -> validated(jobId, job), Named.as(VALIDATE))
                .filter((jobId, job) -> pipelines.contains(job.getPipeline()), Named.as(PIPELINE_FILTER))
                .selectKey((jobId, job) -> job.getSourceRef(), Named.as(KEY_BY_SOURCE))
                .repartition(Repartitioned.<String, JobCompleted>as(BY_SOURCE_REPARTITION).withKeySerde(keys).withValueSerde(jobs))
                .process(() -> new PlaylistProcessor(config, adapterName, metrics, serdes.serializer()),
                        Named.as(PLAYLIST_PROCESSOR), PENDING_STORE, PLAYLISTS_STORE)
                .to(byValueType(), Produced.with(keys, Serdes.serdeFrom(serdes.recordOrBytesSerializer(), (topic, bytes) -> bytes))
                        .withName(OUTPUTS_SINK));
    }

    /** PlaylistRequested and StageReported to their topics; raw bytes (dead letters) to the service's dead-letter topic. */
    private static TopicNameExtractor<String, Object> byValueType() {
        return (key, value, context) -> {
            if (value instanceof PlaylistRequested) {
                return Topics.PLAYLISTS_REQUESTED.name();
            }
            if (value instanceof StageReported) {
                return Topics.STAGE_REPORTED.name();
            }
            return Topics.PLAYLIST_SERVICE_DLT.name();
        };
    }

    /** Rejects records no job tracker writes, so they reach the dead-letter topic with a reason instead of a playlist. */
    static JobCompleted validated(String key, JobCompleted job) {
        if (job == null) {
            throw new PoisonRecordException("JobCompleted with key '%s' has no value; %s takes no tombstones"
                    .formatted(key, Topics.JOB_COMPLETED.name()));
        }
        if (key == null || !key.equals(job.getJobId())) {
            throw new PoisonRecordException("JobCompleted key '%s' differs from its jobId '%s'".formatted(key, job.getJobId()));
        }
        if (job.getSourceRef().isBlank()) {
            throw new PoisonRecordException("JobCompleted '%s' has a blank sourceRef".formatted(key));
        }
        if (!JobStates.isEnded(job.getState())) {
            throw new PoisonRecordException("JobCompleted '%s' has state %s, which is not terminal (expected one of %s)"
                    .formatted(key, job.getState(), JobStates.ENDED));
        }
        return job;
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
