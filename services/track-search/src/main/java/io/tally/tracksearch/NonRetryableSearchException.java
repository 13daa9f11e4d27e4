package io.tally.tracksearch;

/** A search failure that retrying cannot fix (invalid key, bad request): dead-lettered at once. */
public class NonRetryableSearchException extends RuntimeException {

    public NonRetryableSearchException(String message) {
        super(message);
    }
}
