package io.tally.playlist;

/** A playlist could not be made: retries are exhausted or the error is not one that retrying can fix. */
public class PlaylistAdapterException extends RuntimeException {

    public PlaylistAdapterException(String message, Throwable cause) {
        super(message, cause);
    }
}
