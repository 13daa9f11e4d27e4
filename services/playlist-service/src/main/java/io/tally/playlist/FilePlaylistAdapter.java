package io.tally.playlist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The offline adapter: writes {@code <output-dir>/<sanitized sourceRef>.m3u} and a {@code .json} twin. Idempotent per
 * sourceRef because the file name comes from the sourceRef and the content from the draft alone (no timestamps): a
 * replay rewrites the same bytes. Files are written to a temporary name and moved into place, so readers never see
 * half a playlist. Known gap: two sourceRefs that differ only in characters the sanitizer replaces share a file.
 */
public final class FilePlaylistAdapter implements PlaylistAdapter {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Path outputDir;

    public FilePlaylistAdapter(Path outputDir) {
        this.outputDir = outputDir;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public CreatedPlaylist create(PlaylistDraft draft) {
        String baseName = sanitize(draft.sourceRef());
        Path m3u = outputDir.resolve(baseName + ".m3u");
        try {
            Files.createDirectories(outputDir);
            write(m3u, m3u(draft));
            write(outputDir.resolve(baseName + ".json"), JSON.writeValueAsString(json(draft)));
        } catch (IOException | RuntimeException e) {
            throw new PlaylistAdapterException("cannot write playlist files for '%s' into %s: %s"
                    .formatted(draft.sourceRef(), outputDir, e.getMessage()), e);
        }
        return new CreatedPlaylist(baseName, m3u.toUri().toString());
    }

    /** The file name for a sourceRef: anything but letters, digits, dot, dash and underscore becomes an underscore. */
    static String sanitize(String sourceRef) {
        return sourceRef.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String m3u(PlaylistDraft draft) {
        StringBuilder text = new StringBuilder("#EXTM3U\n#PLAYLIST:").append(draft.title()).append('\n');
        for (PlaylistEntry entry : draft.entries()) {
            text.append("#EXTINF:-1,").append(entry.displayName()).append('\n').append(entry.videoUrl()).append('\n');
        }
        return text.toString();
    }

    private static Map<String, Object> json(PlaylistDraft draft) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sourceRef", draft.sourceRef());
        json.put("title", draft.title());
        json.put("chartName", draft.chartName());
        json.put("chartDate", draft.chartDate().toString());
        json.put("description", draft.description());
        json.put("chartSize", draft.chartSize());
        json.put("skippedCount", draft.skippedCount());
        List<Map<String, Object>> entries = draft.entries().stream().map(entry -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("position", entry.position());
            item.put("artists", entry.artists());
            item.put("title", entry.title());
            item.put("mix", entry.mix());
            item.put("videoId", entry.videoId());
            item.put("url", entry.videoUrl());
            return item;
        }).toList();
        json.put("entries", entries);
        return json;
    }

    private static void write(Path target, String content) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
