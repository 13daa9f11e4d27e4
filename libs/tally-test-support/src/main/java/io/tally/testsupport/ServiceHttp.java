package io.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.core.env.Environment;

/**
 * Plain HTTP calls to the service under test on its random port, for tests that check what a client sees: status,
 * headers and body, with no Spring client in between. A {@link TallyServiceTest} gets one as a bean.
 */
public final class ServiceHttp {

    private final HttpClient client = HttpClient.newHttpClient();
    private final Environment environment;

    ServiceHttp(Environment environment) {
        this.environment = environment;
    }

    /** The service's random port, read when first needed, after the server started. */
    public int port() {
        return environment.getRequiredProperty("local.server.port", Integer.class);
    }

    /** {@code http://localhost:PORT} + {@code path}. */
    public URI uri(String path) {
        return URI.create("http://localhost:" + port() + path);
    }

    /** Sends a request built by the test, as {@link HttpClient#send} does. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        return client.send(request, body);
    }

    /** A GET with the given header names and values, in pairs. */
    public HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    /** A POST of a JSON body with the given header names and values, in pairs. */
    public HttpResponse<String> post(String path, String jsonBody, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    /** Any request built on {@link #request(String, String...)}. */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the service", e);
        }
    }

    /** A request to {@code path} with the given header names and values, in pairs. */
    public HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request;
    }
}
