package io.tally.playlist;

import java.util.ArrayList;
import java.util.List;

/** A fake adapter that records each call and answers with a predictable playlist, or fails when told to. */
final class RecordingAdapter implements PlaylistAdapter {

    final List<PlaylistDraft> calls = new ArrayList<>();
    RuntimeException failure;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public CreatedPlaylist create(PlaylistDraft draft) {
        calls.add(draft);
        if (failure != null) {
            throw failure;
        }
        return new CreatedPlaylist("pl-" + draft.sourceRef(), "fake://playlists/" + draft.sourceRef());
    }
}
