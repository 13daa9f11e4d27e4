package io.tally.transcribe.http;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** The one way this module's adapters get a {@link RestClient}: the JDK client, HTTP/1.1, with a connect and a read timeout. */
public final class HttpClients {

    private HttpClients() {
    }

    /** A client of {@code builder} (Boot's, or {@code RestClient.builder()}) whose calls time out as given. */
    public static RestClient.Builder withTimeouts(RestClient.Builder builder, Duration connectTimeout, Duration readTimeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                // The JDK client would offer an h2c upgrade on plain http, which some servers (WireMock's Jetty among
                // them) answer by resetting a request with a body; uploads and JSON calls gain nothing from HTTP/2.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build());
        requests.setReadTimeout(readTimeout);
        return builder.clone().requestFactory(requests);
    }
}
