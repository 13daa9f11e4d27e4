package io.tally.transcribe.http;

import io.tally.worker.TaskFailedException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;

/**
 * How a failed call to one of the pipeline's services becomes a task failure the engine understands. The rule is the
 * seed's: a 4xx is the caller's problem and is never retried (non-retryable, the adapter's "rejected" code), a 5xx or a
 * connection problem may pass and is retried by the engine (retryable {@value #UNAVAILABLE}, {@value #UNREACHABLE} or
 * {@value #TIMEOUT}).
 */
public final class ServiceFailures {

    /** The service answered 5xx. */
    public static final String UNAVAILABLE = "service-unavailable";
    /** The service could not be reached (refused, reset, DNS). */
    public static final String UNREACHABLE = "service-unreachable";
    /** A call, or the polling of a job, took longer than allowed. */
    public static final String TIMEOUT = "timeout";

    private static final int BODY_EXCERPT = 200;

    private ServiceFailures() {
    }

    /**
     * @param service      the service's name for messages, such as {@code video-downloader}
     * @param rejectedCode the code of a 4xx, such as {@code source-rejected}
     */
    public static TaskFailedException of(String service, String rejectedCode, String call, RestClientResponseException e) {
        int status = e.getStatusCode().value();
        String body = e.getResponseBodyAsString();
        String message = "%s answered HTTP %d to %s%s".formatted(service, status, call,
                body == null || body.isBlank() ? "" : ": " + excerpt(body));
        if (e.getStatusCode().is4xxClientError()) {
            return new TaskFailedException(rejectedCode, message + " (not retried)", false);
        }
        return new TaskFailedException(UNAVAILABLE, message, true);
    }

    /** A call that got no answer: a timeout, or a connection that failed. Both are retryable. */
    public static TaskFailedException of(String service, String call, ResourceAccessException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException || cause instanceof SocketTimeoutException) {
                return new TaskFailedException(TIMEOUT, "%s did not answer %s in time".formatted(service, call), true, e);
            }
        }
        return new TaskFailedException(UNREACHABLE, "cannot reach %s for %s: %s".formatted(service, call, e.getMessage()),
                true, e);
    }

    private static String excerpt(String body) {
        String line = body.strip().replaceAll("\\s+", " ");
        return line.length() <= BODY_EXCERPT ? line : line.substring(0, BODY_EXCERPT) + "…";
    }
}
