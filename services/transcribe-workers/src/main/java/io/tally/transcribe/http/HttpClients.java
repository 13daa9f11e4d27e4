package io.tally.transcribe.http;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** The one way this module's adapters get a {@link RestClient}: the JDK client with a connect and a read timeout. */
public final class HttpClients {

    private HttpClients() {
    }

    /** A client of {@code builder} (Boot's, or {@code RestClient.builder()}) whose calls time out as given. */
    public static RestClient.Builder withTimeouts(RestClient.Builder builder, Duration connectTimeout, Duration readTimeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build());
        requests.setReadTimeout(readTimeout);
        return builder.clone().requestFactory(requests);
    }
}
