package io.tally.worker;

import org.apache.avro.specific.SpecificRecord;

/**
 * Thrown by a handler whose task had nothing to do but still has an answer, such as a search that found no match: the
 * SDK writes a SKIPPED result at once, with {@code output} (later stages read it like a success's) and the reason. A
 * fan-out element that is skipped counts as skipped, not failed. Returning null also skips, without an output.
 */
public class TaskSkippedException extends RuntimeException {

    /** The error code a skipped result's reason carries. */
    public static final String CODE = "skipped";

    private final transient SpecificRecord output;

    public TaskSkippedException(String reason, SpecificRecord output) {
        super(reason, null, false, false);
        this.output = output;
    }

    /** The task's output, or null. */
    public SpecificRecord output() {
        return output;
    }
}
