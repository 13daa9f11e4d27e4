package io.tally.media.source;

import io.tally.worker.TaskFailedException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import io.tally.tasks.media.MediaItem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the JSON document {@code yt-dlp -J --flat-playlist} prints: a playlist or channel ({@code _type: playlist}
 * with {@code entries[]}) or a single video. Anything else is {@code metadata-unreadable}. Known gap: nested
 * playlists (a channel's tabs when the URL is the channel root) are read as their first level only.
 */
public final class YtDlpJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private YtDlpJson() {
    }

    /** A playlist or channel document as a source. */
    public static SourceMetadata source(String document, String origin) {
        JsonNode root = read(document, origin);
        if (!"playlist".equals(root.path("_type").asString()) || !root.path("entries").isArray()) {
            throw new TaskFailedException(MediaMetadata.UNREADABLE, origin + " is not a playlist or channel (_type "
                    + root.path("_type").asString("missing") + ")", false);
        }
        List<MediaItem> items = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode entry : root.path("entries")) {
            if (entry.path("id").isString() && seen.add(entry.path("id").asString())) {
                items.add(item(entry));
            }
        }
        String id = text(root, "id", "");
        return new SourceMetadata(id, text(root, "title", id), kind(root), List.copyOf(items));
    }

    /** A single video's document as an item. */
    public static MediaItem video(String document, String origin) {
        JsonNode root = read(document, origin);
        if (!root.path("id").isString() || "playlist".equals(root.path("_type").asString())) {
            throw new TaskFailedException(MediaMetadata.UNREADABLE, origin + " is not a video document", false);
        }
        return item(root);
    }

    private static JsonNode read(String document, String origin) {
        try {
            JsonNode root = JSON.readTree(document);
            if (root == null || !root.isObject()) {
                throw new TaskFailedException(MediaMetadata.UNREADABLE, origin + " printed no JSON object", false);
            }
            return root;
        } catch (JacksonException e) {
            throw new TaskFailedException(MediaMetadata.UNREADABLE, origin + " printed something that is not JSON: "
                    + e.getOriginalMessage(), false);
        }
    }

    private static MediaItem item(JsonNode entry) {
        String id = entry.path("id").asString();
        String url = text(entry, "webpage_url", text(entry, "url", "https://www.youtube.com/watch?v=" + id));
        JsonNode duration = entry.path("duration");
        // yt-dlp prints seconds as a float (212.0); whole seconds are what the seed shows.
        Long seconds = duration.isNumber() ? Math.round(duration.asDouble()) : null;
        return MediaItem.newBuilder().setVideoId(id).setUrl(url).setTitle(text(entry, "title", null))
                .setDurationSeconds(seconds).build();
    }

    /** A channel's document carries its own id as {@code channel_id}; a playlist's id is the list's. */
    private static String kind(JsonNode root) {
        String id = root.path("id").asString();
        String url = text(root, "webpage_url", "");
        boolean channel = id.equals(root.path("channel_id").asString(null)) || url.contains("/@") || url.contains("/channel/");
        return channel ? "channel" : "playlist";
    }

    private static String text(JsonNode node, String field, String otherwise) {
        JsonNode value = node.path(field);
        return value.isString() && !value.asString().isBlank() ? value.asString() : otherwise;
    }
}
