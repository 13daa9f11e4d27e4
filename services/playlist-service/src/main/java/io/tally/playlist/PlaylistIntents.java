package io.tally.playlist;

import io.tally.events.PlaylistRequested;

/** Reads a delivery intent, {@code PlaylistRequested}, as the draft the adapters take. */
final class PlaylistIntents {

    private PlaylistIntents() {
    }

    /** The draft an intent describes, as the adapters take it. */
    static PlaylistDraft draft(PlaylistRequested intent) {
        return new PlaylistDraft(intent.getSourceRef(), intent.getChartName(), intent.getChartDate(),
                intent.getEntries().stream().map(track -> new PlaylistEntry(track.getPosition(), track.getArtists(),
                        track.getTitle(), track.getMix(), track.getVideoId())).toList(),
                intent.getSkippedCount(), intent.getChartSize());
    }
}
