package io.tally.pipeline;

/**
 * One thing wrong with a pipeline definition, located in its file.
 *
 * @param file    the file (or other origin) the definition was read from
 * @param line    the 1-based line, or 0 when the problem has no single place (such as a missing key)
 * @param message what is wrong, in words a person can act on
 */
public record DefinitionProblem(String file, int line, String message) {

    /** {@code file:line: message}, the form editors and CI logs link to. */
    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
