package io.tally.media.source;

/**
 * A source or video whose metadata could not be had, with the error code the task reports: {@code source-unavailable}
 * or {@code video-unavailable} (the extractor refused the URL), {@code metadata-unreadable} (its output is not the
 * JSON it should be), {@code metadata-timeout} (it took too long; the only retryable one).
 */
public class MetadataException extends RuntimeException {

    public static final String SOURCE_UNAVAILABLE = "source-unavailable";
    public static final String VIDEO_UNAVAILABLE = "video-unavailable";
    public static final String UNREADABLE = "metadata-unreadable";
    public static final String TIMEOUT = "metadata-timeout";

    private final String code;
    private final boolean retryable;

    public MetadataException(String code, String message, boolean retryable) {
        super(message);
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
