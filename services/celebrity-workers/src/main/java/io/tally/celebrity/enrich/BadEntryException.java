package io.tally.celebrity.enrich;

/** An entry the post-processor cannot enrich, with the reason its dead letter carries; retrying cannot fix it. */
public final class BadEntryException extends RuntimeException {

    public BadEntryException(String message) {
        super(message);
    }

    public BadEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
