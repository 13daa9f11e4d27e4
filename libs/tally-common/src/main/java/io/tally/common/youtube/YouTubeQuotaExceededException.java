package io.tally.common.youtube;

/** Work was refused because it would spend more YouTube Data API units than are left today; nothing was called. */
public class YouTubeQuotaExceededException extends RuntimeException {

    public YouTubeQuotaExceededException(String message) {
        super(message);
    }
}
