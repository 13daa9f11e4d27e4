package io.tally.celebrity.source;

/** A source refused the request for good (400, 401, 403: a bad key or query); retrying cannot help. */
public final class SourceRejectedException extends RuntimeException {

    public SourceRejectedException(String message) {
        super(message);
    }
}
