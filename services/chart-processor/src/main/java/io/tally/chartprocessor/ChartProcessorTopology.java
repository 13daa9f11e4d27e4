package io.tally.chartprocessor;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.SingleObjectSerde;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.PickNewTracksOutput;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the chart processor's topology: charts are validated, re-keyed by pipeline through a one-partition
 * repartition topic (so one task sees every chart of a pipeline and its requested-tracks store is complete), then
 * {@link ChartProcessor} decides per chart and keeps the decision in {@link #PICKS_STORE}, where the
 * {@code pick-new-tracks} task reads it: the topology writes to no topic but its changelogs and the dead-letter topic.
 * The tracks table is a global table, so every task sees every resolution whatever the partitioning.
 * A plain function: Spring only wires it, and tests drive it with {@code TopologyTestDriver}. Every node, store and
 * internal topic has a fixed name, so changelog and repartition topics keep their names across releases.
 */
public final class ChartProcessorTopology {

    public static final String CHARTS_SOURCE = "charts-source";
    public static final String DROP_TOMBSTONES = "drop-chart-tombstones";
    public static final String VALIDATE = "validate-chart";
    public static final String KEY_BY_PIPELINE = "key-chart-by-pipeline";
    /** Internal topic {@code <application.id>-charts-by-pipeline-repartition}. */
    public static final String CHARTS_BY_PIPELINE = "charts-by-pipeline";
    public static final String TRACKS_SOURCE = "tracks-source";
    public static final String CHART_PROCESSOR = "chart-processor";

    /** Track key → latest {@link TrackResolved}: the global copy of the tracks table. */
    public static final String KNOWN_TRACKS_STORE = "processor-known-tracks";
    /** Source key → job id of the run that processed the chart. */
    public static final String PROCESSED_CHARTS_STORE = "processor-processed-charts";
    /** Track key → {@link RequestedTrack}: searches asked for and not resolved yet. */
    public static final String REQUESTED_TRACKS_STORE = "processor-requested-tracks";
    /** Job id → the new tracks picked from the job's chart (a {@code PickNewTracksOutput}), with when they were picked. */
    public static final String PICKS_STORE = "processor-picks";

    private ChartProcessorTopology() {
    }

    /** A new topology with the processor in it, built with the topology settings in {@code streamsProperties}. */
    public static Topology build(Properties streamsProperties, ProcessorProperties config, AvroSerdes serdes, MeterRegistry meters) {
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsProperties)));
        addTo(builder, config, serdes, meters);
        return builder.build(streamsProperties);
    }

    /** Adds the processor's sources, stores and processor to {@code builder}. */
    public static void addTo(StreamsBuilder builder, ProcessorProperties config, AvroSerdes serdes, MeterRegistry meters) {
        Serde<String> keys = Serdes.String();
        ProcessorMetrics metrics = new ProcessorMetrics(meters);

        builder.globalTable(Topics.TRACKS.name(),
                Consumed.with(keys, serdes.valueSerde(Topics.TRACKS)).withName(TRACKS_SOURCE),
                Materialized.<String, TrackResolved, KeyValueStore<Bytes, byte[]>>as(KNOWN_TRACKS_STORE)
                        .withKeySerde(keys).withValueSerde(serdes.valueSerde(Topics.TRACKS)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PROCESSED_CHARTS_STORE), keys, Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(REQUESTED_TRACKS_STORE), keys, RequestedTrack.SERDE));
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(
                Stores.persistentTimestampedKeyValueStore(PICKS_STORE), keys, pickSerde()));

        builder.stream(Topics.CHARTS_PUBLISHED.name(),
                Consumed.with(keys, serdes.valueSerde(Topics.CHARTS_PUBLISHED)).withName(CHARTS_SOURCE))
                // A tombstone deletes a chart edition from the compacted topic; there is nothing to process.
                .filter((sourceKey, chart) -> chart != null, Named.as(DROP_TOMBSTONES))
                .mapValues(ChartValidator::validated, Named.as(VALIDATE))
                .selectKey((sourceKey, chart) -> chart.getPipeline(), Named.as(KEY_BY_PIPELINE))
                .repartition(Repartitioned.<String, ChartPublished>as(CHARTS_BY_PIPELINE)
                        .withKeySerde(keys).withValueSerde(chartSerde()).withNumberOfPartitions(1))
                .process(() -> new ChartProcessor(config, metrics), Named.as(CHART_PROCESSOR),
                        PROCESSED_CHARTS_STORE, REQUESTED_TRACKS_STORE, PICKS_STORE);
    }

    /**
     * The repartition topic carries charts in Avro's single-object encoding (schema fingerprint + body): an internal
     * topic written and read by this service only needs no registry round trip.
     */
    static Serde<ChartPublished> chartSerde() {
        return SingleObjectSerde.of(ChartPublished::toByteBuffer, ChartPublished::fromByteBuffer);
    }

    /** The picks store's values in Avro's single-object encoding: this service alone reads its changelog. */
    static Serde<PickNewTracksOutput> pickSerde() {
        return SingleObjectSerde.of(PickNewTracksOutput::toByteBuffer, PickNewTracksOutput::fromByteBuffer);
    }
}
