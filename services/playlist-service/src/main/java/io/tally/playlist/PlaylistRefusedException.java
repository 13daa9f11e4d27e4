package io.tally.playlist;

/**
 * A playlist that another attempt today cannot make: the YouTube authorization must be renewed by hand ("re-run tally
 * auth youtube") or the day's quota is spent. The build-playlist task fails at once, not retryable, with this message
 * (so it is dead-lettered in {@code tally.dlt.tasks.build-playlist} without waiting on retry topics), and a redrive
 * after the fix makes it.
 */
public class PlaylistRefusedException extends PlaylistAdapterException {

    public PlaylistRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
