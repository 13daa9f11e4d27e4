package io.tally.playlist;

import io.tally.events.PlaylistCreated;

/**
 * A playlist as the HTTP endpoint returns it.
 *
 * @param sourceRef    chart edition
 * @param playlistId   the adapter's id of the playlist
 * @param title        playlist title
 * @param url          where people find it
 * @param entryCount   tracks in the playlist
 * @param skippedCount chart tracks left out for want of a video
 * @param adapter      adapter that made it
 * @param jobId        job that made it, or null when it was made on demand
 */
public record PlaylistView(String sourceRef, String playlistId, String title, String url, int entryCount, int skippedCount,
                           String adapter, String jobId) {

    static PlaylistView of(PlaylistCreated created) {
        return new PlaylistView(created.getSourceRef(), created.getPlaylistId(), created.getTitle(), created.getUrl(),
                created.getEntryCount(), created.getSkippedCount(), created.getAdapter(), created.getJobId());
    }

    static PlaylistView of(PlaylistDraft draft, CreatedPlaylist made, String adapter) {
        return new PlaylistView(draft.sourceRef(), made.playlistId(), draft.title(), made.url(), draft.entries().size(),
                draft.skippedCount(), adapter, null);
    }
}
