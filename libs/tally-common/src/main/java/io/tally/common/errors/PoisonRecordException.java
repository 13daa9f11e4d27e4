package io.tally.common.errors;

/**
 * A record that was read fine but cannot be processed because its content is invalid (a missing id, a negative
 * count, a key that disagrees with the value). Thrown from processors so the configured exception handler sends the
 * record to the dead-letter topic with this message as the reason, and processing goes on.
 */
public class PoisonRecordException extends RuntimeException {

    public PoisonRecordException(String message) {
        super(message);
    }
}
