package io.tally.pipeline;

/** How a run parameter's string value is read and checked. */
public enum ParameterType {
    /** Any text (subject to the parameter's pattern and allowed values). */
    STRING,
    /** A whole number that fits a Java long. */
    INTEGER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** An ISO-8601 calendar date, such as 2026-12-02. */
    DATE
}
