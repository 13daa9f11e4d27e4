package io.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A temporary folder made while a test class loads, for the output folders a service's properties name before the
 * context starts (JUnit's {@code @TempDir} is not there yet when {@code @DynamicPropertySource} runs). Known gap: the
 * folder is left for the OS to clean.
 */
public final class TempDirs {

    private TempDirs() {
    }

    /** A new folder under the system's temp dir whose name starts with {@code prefix}. */
    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
