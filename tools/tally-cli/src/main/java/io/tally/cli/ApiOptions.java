package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where the jobs API is and how to authenticate, as a picocli mixin shared by the {@code jobs}, {@code dlt},
 * {@code replay}, {@code rerun} and {@code pipelines list|show} commands, with the one HTTP exchange they all use.
 * Replays and redrives read whole ranges, so the timeout is long.
 */
final class ApiOptions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Option(names = "--api-url", paramLabel = "URL", defaultValue = "${env:TALLY_API_URL:-http://localhost:8088}",
            description = "Base URL of the jobs API (default: $TALLY_API_URL or http://localhost:8088).")
    String apiUrl;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:TALLY_API_KEY}",
            description = "API key sent as X-API-Key (default: $TALLY_API_KEY).")
    String apiKey;

    /** The options as a command would have them, for a caller that is not a command (the demo). */
    static ApiOptions of(String apiUrl, String apiKey) {
        ApiOptions options = new ApiOptions();
        options.apiUrl = apiUrl;
        options.apiKey = apiKey;
        return options;
    }

    /** GETs {@code path} and answers its JSON; a non-2xx answer becomes an {@link ApiFailure}. */
    JsonNode get(String path) {
        return send(request(path).GET(), path);
    }

    /** POSTs {@code body} (serialized as JSON, or null for none) and answers the JSON answer. */
    JsonNode post(String path, Object body) {
        try {
            HttpRequest.Builder request = request(path).POST(body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            return send(request, path);
        } catch (IOException e) {
            throw new ApiFailure("cannot write the request body: " + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl.replaceAll("/+$", "") + path))
                .timeout(TIMEOUT).header("Accept", "application/json");
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("X-API-Key", apiKey);
        }
        return request;
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode answer = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                String detail = answer.path("detail").asText(answer.path("title").asText(response.body()));
                throw new ApiFailure(response.statusCode(), response.statusCode() + " from " + path + ": " + detail
                        + (response.statusCode() == 401 ? " (set --api-key or TALLY_API_KEY)" : "")
                        + (response.statusCode() == 403 ? " (needs an ADMIN key)" : ""));
            }
            return answer;
        } catch (IOException e) {
            throw new ApiFailure("cannot reach the jobs API at " + apiUrl + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiFailure("interrupted");
        }
    }

    /** Runs a command body, printing an API failure to stderr with exit code 1. */
    static int run(CommandSpec spec, Runnable body) {
        try {
            body.run();
            return 0;
        } catch (ApiFailure e) {
            spec.commandLine().getErr().println("ERROR: " + e.getMessage());
            return 1;
        }
    }

    /** An API call that failed, with a message for the user. */
    static final class ApiFailure extends RuntimeException {

        private final int status;

        ApiFailure(String message) {
            this(0, message);
        }

        ApiFailure(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status the API answered, or 0 when it did not answer. */
        int status() {
            return status;
        }
    }
}
