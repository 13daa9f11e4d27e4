package io.tally.pipeline;

import java.util.List;

/**
 * A typed run parameter. A run gives it as a string; the definition says how to read and check it.
 *
 * @param name         how expressions refer to it: {@code ${params.<name>}}
 * @param type         how the string value is read and checked
 * @param description  one line for people
 * @param defaultValue the value when a run does not give one, or null when the parameter is required
 * @param pattern      a regular expression the whole value must match, or null
 * @param allowed      the only values allowed, or empty for any
 */
public record ParameterSpec(String name, ParameterType type, String description, String defaultValue, String pattern,
                            List<String> allowed) {

    public ParameterSpec {
        allowed = List.copyOf(allowed);
    }

    /** Whether a run must give this parameter. */
    public boolean required() {
        return defaultValue == null;
    }
}
