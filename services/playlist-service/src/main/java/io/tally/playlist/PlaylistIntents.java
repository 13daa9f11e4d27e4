package io.tally.playlist;

import io.tally.events.PlaylistRequested;
import io.tally.events.PlaylistTrack;
import java.time.Instant;

/** Converts between a {@link PlaylistDraft} and its delivery intent, {@code PlaylistRequested}, and back. */
final class PlaylistIntents {

    private PlaylistIntents() {
    }

    /** The intent of {@code draft} for {@code jobId}, decided at {@code now} (epoch millis). */
    static PlaylistRequested of(String jobId, PlaylistDraft draft, long now) {
        return PlaylistRequested.newBuilder()
                .setJobId(jobId)
                .setSourceRef(draft.sourceRef())
                .setChartName(draft.chartName())
                .setChartDate(draft.chartDate())
                .setEntries(draft.entries().stream().map(entry -> PlaylistTrack.newBuilder().setPosition(entry.position())
                        .setArtists(entry.artists()).setTitle(entry.title()).setMix(entry.mix()).setVideoId(entry.videoId())
                        .build()).toList())
                .setSkippedCount(draft.skippedCount())
                .setChartSize(draft.chartSize())
                .setRequestedAt(Instant.ofEpochMilli(now))
                .build();
    }

    /** The draft an intent describes, as the adapters take it. */
    static PlaylistDraft draft(PlaylistRequested intent) {
        return new PlaylistDraft(intent.getSourceRef(), intent.getChartName(), intent.getChartDate(),
                intent.getEntries().stream().map(track -> new PlaylistEntry(track.getPosition(), track.getArtists(),
                        track.getTitle(), track.getMix(), track.getVideoId())).toList(),
                intent.getSkippedCount(), intent.getChartSize());
    }
}
