package io.tally.media;

import io.tally.media.history.MediaHistory;
import io.tally.tasks.media.MediaHistoryEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The history as a map, for handler tests; it keeps every write in order too. */
public final class InMemoryHistory extends MediaHistory {

    private final Map<String, MediaHistoryEntry> table = new LinkedHashMap<>();
    private final List<MediaHistoryEntry> writes = new ArrayList<>();

    public InMemoryHistory() {
        super(null, null, null);
    }

    @Override
    public void write(MediaHistoryEntry entry) {
        writes.add(entry);
        table.put(entry.getVideoId(), entry);
    }

    @Override
    public Map<String, MediaHistoryEntry> table() {
        return new LinkedHashMap<>(table);
    }

    public List<MediaHistoryEntry> writes() {
        return writes;
    }
}
