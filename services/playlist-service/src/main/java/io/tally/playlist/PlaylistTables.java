package io.tally.playlist;

import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolved;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * What the build-playlist task reads, through interactive queries of the topology's global stores: the tracks table
 * ({@link PlaylistTopology#TRACKS_STORE}) and the playlist made for a chart edition
 * ({@link PlaylistTopology#CHART_PLAYLISTS_STORE}, from {@code tally.playlists.created}). While the streams client is not
 * running they throw {@link InvalidStateStoreException}, and the worker SDK retries the task.
 * Known gap (read-your-write lag): a {@code PlaylistCreated} is in the store only once the global thread has read it
 * back, a moment after it was written; a redelivery or a re-run of the chart within that moment finds no playlist and
 * calls the adapter again (idempotent per chart, so it returns the same playlist) and writes a second
 * {@code PlaylistCreated}, of which the store keeps the first.
 */
final class PlaylistTables implements BuildPlaylistHandler.Tables {

    private final StreamsBuilderFactoryBean streams;

    PlaylistTables(StreamsBuilderFactoryBean streams) {
        this.streams = streams;
    }

    @Override
    public TrackResolved track(String trackKey) {
        return this.<TrackResolved>store(PlaylistTopology.TRACKS_STORE).get(trackKey);
    }

    @Override
    public PlaylistCreated playlistOf(String sourceRef) {
        return this.<PlaylistCreated>store(PlaylistTopology.CHART_PLAYLISTS_STORE).get(sourceRef);
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null) {
            throw new InvalidStateStoreException("the Kafka Streams client has not started");
        }
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
