package io.tally.places.source;

import io.tally.worker.TaskFailedException;

/**
 * A places source failed, as the task failure it becomes: {@link #UNAVAILABLE} (retryable: 429, 5xx, I/O, the source
 * may answer later) or {@link #REJECTED} (not retryable: 400 bad request, 403 key refused, unknown fixture city).
 */
public class PlacesException extends TaskFailedException {

    /** The source is busy, down or unreachable. */
    public static final String UNAVAILABLE = "places-unavailable";
    /** The source refused the request. */
    public static final String REJECTED = "places-rejected";

    public PlacesException(String code, String message, boolean retryable, Throwable cause) {
        super(code, message, retryable, cause);
    }
}
