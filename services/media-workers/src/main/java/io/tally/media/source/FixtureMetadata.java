package io.tally.media.source;

import io.tally.worker.TaskFailedException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import io.tally.tasks.media.MediaItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.ClassPathResource;

/**
 * The offline default: two bundled yt-dlp documents chosen by URL, a playlist of 12 videos (one of them private) and
 * a channel of 8 (2 of which are also in the playlist). Deterministic, no network, and it says so: its adapter name is
 * {@code fixture} and every title it lists is the fixture's. Any other URL is refused as {@code source-unavailable},
 * naming the fixture URLs. A video is looked up in both documents; one marked private (or not in them) is
 * {@code video-unavailable}, as yt-dlp answers for a private video.
 */
public final class FixtureMetadata implements MediaMetadata {

    /** The fixture playlist: 12 videos, {@value #BROKEN_VIDEO} private. */
    public static final String PLAYLIST_URL = "https://www.youtube.com/playlist?list=PLtallyFixtureLofi";
    /** The fixture channel: 8 videos, {@code tallyvid011} and {@code tallyvid012} also in the playlist. */
    public static final String CHANNEL_URL = "https://www.youtube.com/@tallyfixture/videos";
    /** The playlist's private video: every attempt to process it fails. */
    public static final String BROKEN_VIDEO = "tallyvid007";

    /** What a URL must contain to get each document. */
    private static final Map<String, String> DOCUMENTS = Map.of(
            "list=PLtallyFixtureLofi", "media/playlist-PLtallyFixtureLofi.json",
            "@tallyfixture", "media/channel-tallyfixture.json");

    private final Map<String, String> documents = new LinkedHashMap<>();
    private final List<JsonNode> parsed = new ArrayList<>();

    public FixtureMetadata() {
        DOCUMENTS.forEach((marker, resource) -> documents.put(marker, read(resource)));
        for (String document : documents.values()) {
            try {
                parsed.add(JsonMapper.builder().build().readTree(document));
            } catch (JacksonException e) {
                throw new IllegalStateException("a bundled fixture is not JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    @Override
    public SourceMetadata source(String url) {
        return documentFor(url).map(document -> YtDlpJson.source(document, "the fixture for " + url))
                .orElseThrow(() -> new TaskFailedException(MediaMetadata.SOURCE_UNAVAILABLE, "the offline fixture "
                        + "adapter knows only " + PLAYLIST_URL + " and " + CHANNEL_URL + ", not " + url
                        + " (set tally.media.metadata.adapter=yt-dlp for real sources)", false));
    }

    @Override
    public MediaItem video(String url) {
        String id = videoId(url);
        for (JsonNode document : parsed) {
            for (JsonNode entry : document.path("entries")) {
                if (entry.path("id").asString().equals(id)) {
                    if (!entry.path("availability").isNull() && !entry.path("availability").asString("public").equals("public")) {
                        throw new TaskFailedException(MediaMetadata.VIDEO_UNAVAILABLE, "[youtube] " + id
                                + ": Video unavailable. This video is " + entry.path("availability").asString()
                                + " (fixture)", false);
                    }
                    return YtDlpJson.video(entry.toString(), "the fixture for " + url);
                }
            }
        }
        throw new TaskFailedException(MediaMetadata.VIDEO_UNAVAILABLE, "[youtube] " + id
                + ": Video unavailable (not in the fixture)", false);
    }

    @Override
    public String adapter() {
        return "fixture";
    }

    private Optional<String> documentFor(String url) {
        return documents.entrySet().stream().filter(document -> url.contains(document.getKey()))
                .map(Map.Entry::getValue).findFirst();
    }

    /** The {@code v=} parameter of a watch URL, else the URL's last path segment ({@code youtu.be/<id>}). */
    static String videoId(String url) {
        int v = url.indexOf("v=");
        String rest = v >= 0 ? url.substring(v + 2) : url.substring(url.lastIndexOf('/') + 1);
        return List.of(rest.split("[&#?]")).get(0);
    }

    private static String read(String resource) {
        try (var in = new ClassPathResource(resource).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled fixture " + resource + " is missing", e);
        }
    }
}
