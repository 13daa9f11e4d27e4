package io.tally.playlist;

/**
 * Makes playlists in an external system. Implementations must be idempotent per {@link PlaylistDraft#sourceRef()}:
 * a second call for the same chart returns the playlist of the first (a crash between the external call and the
 * Kafka commit replays the call). Called from the stream thread, so calls block processing while they run.
 */
public interface PlaylistAdapter {

    /** The adapter's name, as written into {@code PlaylistCreated.adapter} and metric tags. */
    String name();

    /**
     * Makes (or finds and completes) the playlist of {@code draft}.
     *
     * @throws PlaylistAdapterException when the playlist cannot be made, after any retries
     */
    CreatedPlaylist create(PlaylistDraft draft);
}
