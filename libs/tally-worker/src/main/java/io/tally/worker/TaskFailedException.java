package io.tally.worker;

/**
 * Thrown by a handler to fail a task with a stable error code (the {@code TaskError} the engine's retry policy
 * reads). {@code retryable=false}: the SDK writes a FAILED result at once and does not retry. {@code retryable=true}:
 * like any other exception, the request goes through the retry topics, and after the last one it is dead-lettered
 * and a FAILED result carries this code.
 */
public class TaskFailedException extends RuntimeException {

    private final String code;
    private final boolean retryable;

    public TaskFailedException(String code, String message, boolean retryable) {
        super(message);
        this.code = code;
        this.retryable = retryable;
    }

    public TaskFailedException(String code, String message, boolean retryable, Throwable cause) {
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
