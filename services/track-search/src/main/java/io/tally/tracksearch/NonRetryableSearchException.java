package io.tally.tracksearch;

/** A search failure that retrying cannot fix (invalid key, bad request, no quota left): dead-lettered at once. */
public class NonRetryableSearchException extends RuntimeException {

    /** Error code of a request the backend refuses. */
    public static final String INVALID_REQUEST = "invalid-request";
    /** Error code of a search refused because the day's quota is spent. */
    public static final String QUOTA_EXCEEDED = "quota-exceeded";

    private final String code;

    public NonRetryableSearchException(String message) {
        this(INVALID_REQUEST, message);
    }

    public NonRetryableSearchException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The task error code ({@link #INVALID_REQUEST} or {@link #QUOTA_EXCEEDED}) the pipeline's retry policy reads. */
    public String code() {
        return code;
    }
}
