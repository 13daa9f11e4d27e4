package io.tally.playlist.youtube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refresh-token file: owner-only modes, atomic replacement, and no writing through a symbolic link. */
class RefreshTokenFileTest {

    @TempDir
    Path dir;

    @Test
    void writesTheTokenOwnerOnlyAndCreatesTheFolders() throws IOException {
        // Given a path whose folders do not exist yet
        Path file = dir.resolve("a/b/youtube-refresh-token");
        // When the token is stored, then replaced
        RefreshTokenFile.write(file, "1//first");
        RefreshTokenFile.write(file, "1//second");
        // Then the file has mode 600, its new folders 700, and it reads back as the last token
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(RefreshTokenFile.read(file)).contains("1//second");
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void refusesToWriteThroughASymbolicLink() throws IOException {
        // Given the token path is a link to another file
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "untouched");
        Path link = Files.createSymbolicLink(dir.resolve("youtube-refresh-token"), elsewhere);
        // When / Then writing is refused and the link's target is untouched
        assertThatThrownBy(() -> RefreshTokenFile.write(link, "1//token")).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        assertThat(Files.readString(elsewhere)).isEqualTo("untouched");
    }

    @Test
    void readsNothingFromAMissingOrBlankFile() throws IOException {
        // Given no file, then a blank one
        Path file = dir.resolve("youtube-refresh-token");
        assertThat(RefreshTokenFile.read(file)).isEmpty();
        Files.writeString(file, "\n");
        // Then neither holds a token
        assertThat(RefreshTokenFile.read(file)).isEmpty();
    }
}
