package io.tally.common.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArtifactStoreTest {

    @TempDir
    Path dir;

    @Test
    void readsBackWhatItStoredAndKeepsOneArtifactWhenAKeyIsWrittenTwice() {
        // Given a store
        FileArtifactStore store = new FileArtifactStore(dir.resolve("artifacts"));

        // When the same key is written twice (a redelivered task)
        URI first = store.put("transcribe/job-1/transcript.json", bytes("first"));
        URI second = store.put("transcribe/job-1/transcript.json", bytes("second"));

        // Then one artifact holds the second content, under the same reference
        assertThat(second).isEqualTo(first);
        assertThat(new String(store.read(second), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(store.deleteUnder("")).isEqualTo(1);
    }

    @Test
    void refusesKeysThatLeaveTheStore() {
        FileArtifactStore store = new FileArtifactStore(dir);

        assertThatThrownBy(() -> store.put("../outside.txt", bytes("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaves the store");
        assertThatThrownBy(() -> store.put("/etc/passwd", bytes("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(dir.resolveSibling("outside.txt"))).isFalse();
    }

    @Test
    void doesNotReadAFileOutsideTheStoreThroughAForgedReference() throws Exception {
        // Given a file beside the store, and a reference to it that could come from a forged event
        Path store = Files.createDirectories(dir.resolve("store"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "secret");
        FileArtifactStore artifacts = new FileArtifactStore(store);

        // Then neither the plain nor the dotted reference is read
        assertThat(artifacts.holds(secret.toUri())).isFalse();
        assertThatThrownBy(() -> artifacts.read(URI.create(store.toUri() + "../secret.txt")))
                .isInstanceOf(ArtifactStore.NoSuchArtifactException.class);
        assertThat(artifacts.holds(URI.create("https://example.com/a"))).isFalse();
    }

    @Test
    void saysAnArtifactIsGoneAfterItsPrefixWasDeleted() {
        // Given artifacts of two jobs
        FileArtifactStore store = new FileArtifactStore(dir);
        URI one = store.put("transcribe/job-1/a.srt", bytes("a"));
        URI two = store.put("transcribe/job-2/b.srt", bytes("b"));

        // When one job's artifacts are cleaned up
        int deleted = store.deleteUnder("transcribe/job-1");

        // Then only that job's are gone, and reading one says so
        assertThat(deleted).isEqualTo(1);
        assertThatThrownBy(() -> store.read(one)).isInstanceOf(ArtifactStore.NoSuchArtifactException.class)
                .hasMessageContaining("deleted");
        assertThat(store.read(two)).isEqualTo(bytes("b"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
