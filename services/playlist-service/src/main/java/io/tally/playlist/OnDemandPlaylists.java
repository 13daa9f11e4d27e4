package io.tally.playlist;

import io.tally.events.ChartPublished;
import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolved;
import io.tally.playlist.PlaylistMetrics.Outcome;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Service;

/**
 * The manual trigger (seed 000's HTTP function): makes, or finds, the playlist of one chart with the same builder and
 * adapter as the {@code build-playlist} task, reading the global stores through interactive queries. A chart whose
 * playlist a job made (in {@link PlaylistTopology#CHART_PLAYLISTS_STORE}) is answered as it is.
 * Known gap: it publishes no PlaylistCreated (there is no job to key it by), so a later job of the chart calls the
 * adapter again, which returns this same playlist because adapters are idempotent per sourceRef.
 */
@Service
class OnDemandPlaylists {

    private final StreamsBuilderFactoryBean streams;
    private final PlaylistAdapter adapter;
    private final PlaylistMetrics metrics;

    OnDemandPlaylists(StreamsBuilderFactoryBean streams, PlaylistAdapter adapter, PlaylistMetrics metrics) {
        this.streams = streams;
        this.adapter = adapter;
        this.metrics = metrics;
    }

    /** Outcome of a request: the playlist and whether it was made now, or why there is none. */
    sealed interface Result {
        record Existing(PlaylistView playlist) implements Result {
        }

        record Made(PlaylistView playlist) implements Result {
        }

        record UnknownChart(String sourceRef) implements Result {
        }

        record NoVideos(String sourceRef, int chartSize) implements Result {
        }
    }

    /**
     * @throws InvalidStateStoreException while the streams client is not running (the stores cannot be read)
     * @throws PlaylistAdapterException   when the adapter fails
     */
    Result create(String sourceRef) {
        PlaylistCreated existing = this.<PlaylistCreated>store(PlaylistTopology.CHART_PLAYLISTS_STORE).get(sourceRef);
        if (existing != null) {
            metrics.outcome(Outcome.EXISTING);
            return new Result.Existing(PlaylistView.of(existing));
        }
        ChartPublished chart = this.<ChartPublished>store(PlaylistTopology.CHARTS_STORE).get(sourceRef);
        if (chart == null) {
            return new Result.UnknownChart(sourceRef);
        }
        ReadOnlyKeyValueStore<String, TrackResolved> tracks = store(PlaylistTopology.TRACKS_STORE);
        PlaylistDraft draft = PlaylistBuilder.build(chart, tracks::get).draft();
        if (draft.entries().isEmpty()) {
            metrics.outcome(Outcome.SKIPPED);
            return new Result.NoVideos(sourceRef, draft.chartSize());
        }
        CreatedPlaylist made = metrics.make(adapter, draft);
        return new Result.Made(PlaylistView.of(draft, made, adapter.name()));
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null) {
            throw new InvalidStateStoreException("the Kafka Streams client has not started");
        }
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
