package io.tally.common.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An {@link ArtifactStore} in a directory; references are {@code file:} URIs. Writes go to a temporary file that is
 * then moved into place, so a reader sees the old artifact or the new one, never part of one. Known gap: the directory
 * must be shared by every service that uses it (see {@link ArtifactStore}).
 */
public final class FileArtifactStore implements ArtifactStore {

    private final Path root;

    public FileArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public URI put(String key, byte[] content) {
        Path target = resolve(key);
        try {
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), ".partial-", ".tmp");
            try {
                Files.write(partial, content);
                move(partial, target);
            } finally {
                Files.deleteIfExists(partial);
            }
            return target.toUri();
        } catch (IOException e) {
            throw new UncheckedIOException("could not store artifact " + key + " in " + root, e);
        }
    }

    @Override
    public byte[] read(URI reference) {
        if (!holds(reference)) {
            throw new NoSuchArtifactException(reference, "not an artifact of " + root.toUri());
        }
        try {
            return Files.readAllBytes(Path.of(reference));
        } catch (NoSuchFileException e) {
            throw new NoSuchArtifactException(reference, "it was deleted or never written");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read artifact " + reference, e);
        }
    }

    @Override
    public boolean holds(URI reference) {
        if (reference == null || !"file".equals(reference.getScheme())) {
            return false;
        }
        try {
            Path path = Path.of(reference).toAbsolutePath().normalize();
            return path.startsWith(root) && !path.equals(root);
        } catch (IllegalArgumentException e) {
            // A file: URI with an authority or a query is not one this store wrote.
            return false;
        }
    }

    @Override
    public int deleteUnder(String prefix) {
        Path start = prefix.isEmpty() ? root : resolve(prefix);
        if (!Files.exists(start)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(start)) {
            List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
            int files = 0;
            for (Path path : paths) {
                if (Files.isRegularFile(path)) {
                    files++;
                }
                if (!path.equals(root)) {
                    Files.deleteIfExists(path);
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete artifacts under " + start, e);
        }
    }

    private Path resolve(String key) {
        if (key == null || key.isBlank() || key.startsWith("/") || key.contains("\\")) {
            throw new IllegalArgumentException("an artifact key is a relative path of plain segments, not '" + key + "'");
        }
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("the artifact key '" + key + "' leaves the store");
        }
        return path;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
