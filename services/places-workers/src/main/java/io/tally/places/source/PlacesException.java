package io.tally.places.source;

/**
 * A places source failed. {@code retryable}: the source may answer later (429, 5xx, I/O); otherwise another attempt
 * cannot help (400 bad request, 403 key refused, unknown fixture city). {@code code} becomes the task's error code.
 */
public class PlacesException extends RuntimeException {

    /** The source is busy, down or unreachable. */
    public static final String UNAVAILABLE = "places-unavailable";
    /** The source refused the request. */
    public static final String REJECTED = "places-rejected";

    private final String code;
    private final boolean retryable;

    public PlacesException(String code, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
