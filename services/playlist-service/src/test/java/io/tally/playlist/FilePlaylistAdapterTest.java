package io.tally.playlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePlaylistAdapterTest {

    @TempDir
    Path dir;

    private final PlaylistDraft draft = new PlaylistDraft("beatport/2024/08/12/top100", "Beatport Top 100",
            LocalDate.of(2024, 8, 12), List.of(
                    new PlaylistEntry(1, List.of("Artist A", "Artist B"), "First", "Extended Mix", "vid1"),
                    new PlaylistEntry(3, List.of("Artist C"), "Third", null, "vid3")), 1, 3);

    @Test
    void writesAnM3uWithOneEntryPerTrackAndAJsonTwin() throws Exception {
        // When the playlist is made
        CreatedPlaylist made = new FilePlaylistAdapter(dir).create(draft);
        // Then the m3u lists the tracks in order with their watch URLs, and the URL is the file's URI
        Path m3u = dir.resolve("beatport_2024_08_12_top100.m3u");
        assertThat(made.url()).isEqualTo(m3u.toUri().toString());
        assertThat(Files.readAllLines(m3u)).containsExactly(
                "#EXTM3U",
                "#PLAYLIST:Beatport Top 100 — 2024-08-12",
                "#EXTINF:-1,Artist A, Artist B - First",
                "https://www.youtube.com/watch?v=vid1",
                "#EXTINF:-1,Artist C - Third",
                "https://www.youtube.com/watch?v=vid3");
        String json = Files.readString(dir.resolve("beatport_2024_08_12_top100.json"));
        assertThat(json).contains("\"sourceRef\" : \"beatport/2024/08/12/top100\"").contains("\"skippedCount\" : 1")
                .contains("\"videoId\" : \"vid3\"").contains("\"mix\" : \"Extended Mix\"");
    }

    @Test
    void rewritesTheSameFilesWhenCalledAgainForTheSameChart() throws Exception {
        // Given a playlist already written
        FilePlaylistAdapter adapter = new FilePlaylistAdapter(dir);
        CreatedPlaylist first = adapter.create(draft);
        byte[] firstBytes = Files.readAllBytes(dir.resolve("beatport_2024_08_12_top100.m3u"));
        // When the same chart is made again (a replay after a crash)
        CreatedPlaylist second = adapter.create(draft);
        // Then the result and the bytes are the same, and no other file appeared
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve("beatport_2024_08_12_top100.m3u"))).isEqualTo(firstBytes);
        try (var files = Files.list(dir)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("beatport_2024_08_12_top100.m3u", "beatport_2024_08_12_top100.json");
        }
    }

    @Test
    void failsWithAReasonWhenTheFolderCannotBeWritten() throws Exception {
        // Given an output "folder" that is a plain file
        Path blocked = Files.writeString(dir.resolve("blocked"), "x");
        // When / Then the adapter fails with a reason naming the chart
        assertThatThrownBy(() -> new FilePlaylistAdapter(blocked).create(draft))
                .isInstanceOf(PlaylistAdapterException.class).hasMessageContaining("beatport/2024/08/12/top100");
    }
}
