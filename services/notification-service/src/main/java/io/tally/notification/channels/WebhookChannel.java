package io.tally.notification.channels;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * Posts notifications as JSON to a webhook with Spring's {@link RestClient}: Slack-compatible ({@code {"text": ...}})
 * plus the structured fields. The {@code Idempotency-Key} header is the notification id, so a receiver can drop a
 * post repeated after a crash. The URL is a secret: failures name only its host, and keep no cause whose message
 * could contain the URL.
 */
public final class WebhookChannel implements NotificationChannel {

    private final URI url;
    private final String host;
    private final RestClient client;

    public WebhookChannel(URI url, Duration connectTimeout, Duration readTimeout) {
        if (url == null || url.getHost() == null) {
            throw new IllegalArgumentException("tally.notify.webhook.url must be an absolute http(s) URL when the webhook is enabled");
        }
        this.url = url;
        this.host = url.getHost();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder()
                        // No h2c upgrade on plain http: some servers reset an upgrading POST with a body.
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(connectTimeout).build());
        requests.setReadTimeout(readTimeout);
        this.client = RestClient.builder().requestFactory(requests).build();
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public List<String> recipients(Notification notification) {
        return List.of(host);
    }

    @Override
    public String describe(Notification notification) {
        return "webhook";
    }

    @Override
    public void send(Notification notification) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", "*" + notification.subject() + "*\n" + notification.body());
        body.put("id", notification.id());
        body.put("kind", notification.kind());
        body.put("jobId", notification.jobId());
        body.put("subject", notification.subject());
        body.put("fields", notification.fields());
        try {
            client.post().uri(url).contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", notification.id())
                    .body(body)
                    .retrieve()
                    .toBodilessEntity();
        } catch (RestClientResponseException e) {
            throw new WebhookException("webhook at %s answered %s".formatted(host, e.getStatusCode()));
        } catch (RestClientException e) {
            Throwable root = e.getMostSpecificCause();
            throw new WebhookException("webhook at %s failed: %s".formatted(host, root.getClass().getSimpleName()));
        }
    }

    /** A webhook failure whose message names only the host; deliberately without the cause (it may hold the URL). */
    public static final class WebhookException extends RuntimeException {

        WebhookException(String message) {
            super(message, null, false, false);
        }
    }
}
