package io.tally.playlist;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The playlist service's metrics. Known gap: counters move when a record is processed, so a transaction that aborts
 * and is replayed after a crash counts again; the topics, not these counters, are exact.
 */
public final class PlaylistMetrics {

    static final String PLAYLISTS = "tally.playlist.playlists";
    static final String ENTRIES = "tally.playlist.entries";
    static final String SKIPPED = "tally.playlist.skipped";

    /** Outcomes of a request for a playlist. */
    enum Outcome {
        /** A playlist was made (or completed) by the adapter. */
        MADE,
        /** The chart already had a playlist; nothing was made. */
        EXISTING,
        /** No playlist is due: no chart track has a video. */
        SKIPPED,
        /** The adapter failed (the endpoint, the task) or still failed after the last delivery retry. */
        FAILED
    }

    private final MeterRegistry registry;
    private final String adapter;
    private final Counter entries;
    private final Counter skipped;

    public PlaylistMetrics(MeterRegistry registry, String adapter) {
        this.registry = registry;
        this.adapter = adapter;
        this.entries = Counter.builder(ENTRIES).description("Tracks put into playlists").tag("adapter", adapter)
                .register(registry);
        this.skipped = Counter.builder(SKIPPED).description("Chart tracks left out of playlists for want of a video")
                .tag("adapter", adapter).register(registry);
    }

    void outcome(Outcome outcome) {
        Counter.builder(PLAYLISTS).description("Playlist requests by outcome").tag("adapter", adapter)
                .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
    }

    void made(PlaylistDraft draft) {
        outcome(Outcome.MADE);
        entries.increment(draft.entries().size());
        skipped.increment(draft.skippedCount());
    }

    /** Makes {@code draft} through {@code adapter}, counting it as made, or as failed when the adapter throws. */
    CreatedPlaylist make(PlaylistAdapter adapter, PlaylistDraft draft) {
        CreatedPlaylist made;
        try {
            made = adapter.create(draft);
        } catch (RuntimeException e) {
            outcome(Outcome.FAILED);
            throw e;
        }
        made(draft);
        return made;
    }
}
