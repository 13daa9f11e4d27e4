package io.tally.media.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.tasks.media.MediaItem;
import io.tally.worker.TaskFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The yt-dlp adapter against stand-in executables (test resources {@code ytdlp/*.sh}): one that prints captured
 * {@code yt-dlp -J --flat-playlist} documents, one that prints garbage, one that never answers.
 */
class YtDlpMetadataTest {

    private static final String PLAYLIST = "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG";

    @TempDir
    static Path dir;

    @BeforeAll
    static void installScripts() throws IOException {
        // Maven copies resources without their mode: the scripts are made executable here.
        for (String name : new String[] {"fake-yt-dlp.sh", "garbage-yt-dlp.sh", "slow-yt-dlp.sh", "playlist.json", "video.json"}) {
            try (InputStream in = YtDlpMetadataTest.class.getResourceAsStream("/ytdlp/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
            if (name.endsWith(".sh")) {
                Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    private static YtDlpMetadata adapter(String script, Duration timeout) {
        return new YtDlpMetadata(dir.resolve(script).toString(), timeout);
    }

    @Test
    void readsAPlaylistsEntriesFromTheFlatPlaylistJsonOncePerVideoId() throws IOException {
        // Given the stand-in that prints a captured playlist document (4 entries, one video listed twice)
        YtDlpMetadata metadata = adapter("fake-yt-dlp.sh", Duration.ofSeconds(20));

        // When the playlist URL is read
        SourceMetadata source = metadata.source(PLAYLIST);

        // Then it was called as yt-dlp -J --flat-playlist <url>, and the items are the distinct entries in order
        assertThat(Files.readString(dir.resolve("args.txt"))).startsWith("-J --flat-playlist").contains(PLAYLIST);
        assertThat(source.id()).isEqualTo("PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG");
        assertThat(source.title()).isEqualTo("Lo-fi Girl - study beats");
        assertThat(source.kind()).isEqualTo("playlist");
        assertThat(source.items()).extracting(MediaItem::getVideoId)
                .containsExactly("jfKfPfyJRdk", "lTRiuFIWV54", "5qap5aO4i9A");
        // And a float duration is whole seconds, a live stream's missing one stays unknown
        assertThat(source.items().get(1).getDurationSeconds()).isEqualTo(3713L);
        assertThat(source.items().get(0).getDurationSeconds()).isNull();
        assertThat(source.items().get(1).getUrl()).isEqualTo("https://www.youtube.com/watch?v=lTRiuFIWV54");
        assertThat(metadata.adapter()).isEqualTo("yt-dlp");
    }

    @Test
    void readsOneVideosDocument() {
        // Given the stand-in
        YtDlpMetadata metadata = adapter("fake-yt-dlp.sh", Duration.ofSeconds(20));

        // When a video URL is read
        MediaItem video = metadata.video("https://www.youtube.com/watch?v=lTRiuFIWV54");

        // Then its id, title and duration are the document's
        assertThat(video.getVideoId()).isEqualTo("lTRiuFIWV54");
        assertThat(video.getTitle()).startsWith("1 A.M Study Session");
        assertThat(video.getDurationSeconds()).isEqualTo(3713L);
    }

    @Test
    void aUrlTheExtractorRefusesIsANonRetryableSourceUnavailableWithItsError() {
        // Given the stand-in, which exits 1 for a URL it does not know
        YtDlpMetadata metadata = adapter("fake-yt-dlp.sh", Duration.ofSeconds(20));

        // When / Then the failure says what the extractor said, and is not retried
        assertThatThrownBy(() -> metadata.source("https://example.org/nothing"))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(MediaMetadata.SOURCE_UNAVAILABLE);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("exited 1").contains("is not a valid URL");
                });
    }

    @Test
    void aPrivateVideoIsVideoUnavailable() {
        // Given the stand-in, which refuses a private video as yt-dlp does
        YtDlpMetadata metadata = adapter("fake-yt-dlp.sh", Duration.ofSeconds(20));

        // When / Then
        assertThatThrownBy(() -> metadata.video("https://www.youtube.com/watch?v=private0001"))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(MediaMetadata.VIDEO_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("Private video");
                });
    }

    @Test
    void outputThatIsNotJsonIsANonRetryableMetadataUnreadable() {
        // Given an executable that exits 0 but prints HTML
        YtDlpMetadata metadata = adapter("garbage-yt-dlp.sh", Duration.ofSeconds(20));

        // When / Then
        assertThatThrownBy(() -> metadata.source(PLAYLIST)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.code()).isEqualTo(MediaMetadata.UNREADABLE);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("not JSON");
        });
    }

    @Test
    void aVideoDocumentWhereASourceIsExpectedIsUnreadable() {
        // Given the stand-in, which answers a watch URL with a single video
        YtDlpMetadata metadata = adapter("fake-yt-dlp.sh", Duration.ofSeconds(20));

        // When / Then a video added as a source is refused, naming what it got
        assertThatThrownBy(() -> metadata.source("https://www.youtube.com/watch?v=lTRiuFIWV54"))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(MediaMetadata.UNREADABLE);
                    assertThat(e.getMessage()).contains("not a playlist or channel (_type video)");
                });
    }

    @Test
    void aMissingExecutableNamesTheKeyToSet() {
        // Given an executable that does not exist
        YtDlpMetadata metadata = new YtDlpMetadata(dir.resolve("no-such-yt-dlp").toString(), Duration.ofSeconds(5));

        // When / Then
        assertThatThrownBy(() -> metadata.source(PLAYLIST)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("cannot run").contains("tally.media.metadata.executable");
        });
    }

    @Test
    void anExecutableThatDoesNotAnswerInTimeIsKilledAndRetryable() {
        // Given an executable that sleeps 30 s, and a 500 ms timeout
        YtDlpMetadata metadata = adapter("slow-yt-dlp.sh", Duration.ofMillis(500));
        long started = System.nanoTime();

        // When / Then it fails as a retryable timeout, long before the 30 s
        assertThatThrownBy(() -> metadata.source(PLAYLIST)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.code()).isEqualTo(MediaMetadata.TIMEOUT);
            assertThat(e.retryable()).isTrue();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
}
