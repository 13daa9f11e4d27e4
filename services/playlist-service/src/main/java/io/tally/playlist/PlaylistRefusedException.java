package io.tally.playlist;

/**
 * A playlist that another attempt today cannot make: the YouTube authorization must be renewed by hand ("re-run tally
 * auth youtube") or the day's quota is spent. The build-playlist task fails at once, not retryable, with this message;
 * the delivery consumer does not send it through its retry topics but to the dead-letter topic at once, with the stage
 * FAILED and this message, and a redrive after the fix makes it.
 */
public class PlaylistRefusedException extends PlaylistAdapterException {

    public PlaylistRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
