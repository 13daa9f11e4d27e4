package io.tally.playlist;

/**
 * What an adapter reports back for a playlist it made or found.
 *
 * @param playlistId the adapter's id of the playlist
 * @param url        where people find it: a YouTube URL or a file URI
 */
public record CreatedPlaylist(String playlistId, String url) {
}
