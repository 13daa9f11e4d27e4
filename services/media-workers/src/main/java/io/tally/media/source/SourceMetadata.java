package io.tally.media.source;

import io.tally.tasks.media.MediaItem;
import java.util.List;

/**
 * What a source's metadata says: the seed's Sources row (id, name, kind, video count) and its items in order.
 *
 * @param id       the playlist's or channel's own id
 * @param title    its name
 * @param kind     {@code playlist} or {@code channel}
 * @param items    the videos, in source order (an id the extractor listed twice is kept once)
 */
public record SourceMetadata(String id, String title, String kind, List<MediaItem> items) {
}
