package io.tally.pipeline;

/**
 * The text a definition was read from, kept so that every service can re-read the exact same version and errors can
 * name the file.
 *
 * @param file the file name (or another origin such as {@code topic tally.pipelines.definitions}) for messages
 * @param text the YAML text as read
 */
public record SourceText(String file, String text) {
}
