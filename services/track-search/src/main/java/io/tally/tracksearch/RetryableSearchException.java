package io.tally.tracksearch;

/** A search failure that may pass on its own (rate limit, quota, 5xx, I/O): retried through the retry topics. */
public class RetryableSearchException extends RuntimeException {

    public RetryableSearchException(String message) {
        super(message);
    }
}
