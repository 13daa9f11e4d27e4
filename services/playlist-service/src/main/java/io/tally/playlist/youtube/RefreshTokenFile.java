package io.tally.playlist.youtube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The file that holds the YouTube refresh token: one line, owner-only (POSIX mode 600, folders 700). Written by
 * {@code tally auth youtube} and, should Google ever rotate the token, by the playlist service. Writing never follows
 * a symbolic link (a link planted at the path could otherwise send the token elsewhere); reading does, so a
 * Kubernetes Secret mounted as a file (a symlink into {@code ..data}) can hold the token.
 */
public final class RefreshTokenFile {

    private RefreshTokenFile() {
    }

    /** {@code ~/.tally/youtube-refresh-token}. */
    public static Path defaultLocation() {
        return Path.of(System.getProperty("user.home"), ".tally", "youtube-refresh-token");
    }

    /** The stored token, or empty when the file is missing or blank. */
    public static Optional<String> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /**
     * Stores {@code refreshToken} at {@code file} with mode 600: written to a new owner-only file in the same folder,
     * then moved over the old one, so a reader never sees half a token and the mode is right from the first byte.
     *
     * @throws IOException when {@code file} is a symbolic link, or the folder or file cannot be written
     */
    public static void write(Path file, String refreshToken) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isSymbolicLink(target)) {
            throw new IOException("refusing to write the refresh token through the symbolic link " + target);
        }
        Path folder = target.getParent();
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, refreshToken + "\n", StandardCharsets.UTF_8);
            // rename(2) replaces a link planted after the check above instead of writing through it.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
