package io.tally.celebrity.source;

/** A source failed in a way a later attempt may not (5xx, 429, a timeout, a body that is not the API's): retried. */
public final class SourceUnavailableException extends RuntimeException {

    public SourceUnavailableException(String message) {
        super(message);
    }
}
