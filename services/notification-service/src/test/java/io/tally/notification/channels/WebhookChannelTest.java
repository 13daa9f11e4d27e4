package io.tally.notification.channels;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.tally.notification.NotifierAccess;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The webhook channel against a real HTTP server (WireMock standalone on a free port). */
class WebhookChannelTest {

    private static final String SECRET_PATH = "/services/T000/B000/SECRET-TOKEN-123";

    @RegisterExtension
    static final WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private static final Notification NOTIFICATION;

    static {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", "job-1");
        fields.put("succeeded", 9);
        NOTIFICATION = new Notification("completed:job-1", "completed", "job-1", "[tally] beatport-chart completed: job-1",
                "Job job-1 completed.", fields);
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
    }

    @Test
    void postsSlackCompatibleJsonWithTheIdempotencyKey() {
        // Given a webhook that accepts posts
        server.stubFor(post(urlEqualTo(SECRET_PATH)).willReturn(aResponse().withStatus(200)));
        WebhookChannel channel = channel(URI.create(server.baseUrl() + SECRET_PATH));
        // When a notification is sent
        channel.send(NOTIFICATION);
        // Then it was posted as JSON with a text field, the structured fields and the notification id as idempotency key
        server.verify(1, postRequestedFor(urlEqualTo(SECRET_PATH))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Idempotency-Key", equalTo("completed:job-1"))
                .withRequestBody(matchingJsonPath("$.text", equalTo("*[tally] beatport-chart completed: job-1*\nJob job-1 completed.")))
                .withRequestBody(matchingJsonPath("$.kind", equalTo("completed")))
                .withRequestBody(equalToJson("{\"fields\": {\"jobId\": \"job-1\", \"succeeded\": 9}}", true, true)));
        assertThat(channel.recipients(NOTIFICATION)).containsExactly("localhost");
        assertThat(channel.describe(NOTIFICATION)).isEqualTo("webhook");
    }

    @Test
    void retriesA503AndThenDelivers() {
        // Given a webhook that answers 503 once, then 200
        server.stubFor(post(urlEqualTo(SECRET_PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        server.stubFor(post(urlEqualTo(SECRET_PATH)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        WebhookChannel channel = channel(URI.create(server.baseUrl() + SECRET_PATH));
        // When the notifier delivers with retries
        List<String> failures = NotifierAccess.deliver(channel, NOTIFICATION, 3);
        // Then the second post succeeded, with the same idempotency key both times
        assertThat(failures).isEmpty();
        server.verify(2, postRequestedFor(urlEqualTo(SECRET_PATH)).withHeader("Idempotency-Key", equalTo("completed:job-1")));
    }

    @Test
    void neverPutsTheUrlInExceptionsOrLogs() {
        // Given a webhook that always fails, and one whose host refuses connections
        server.stubFor(post(urlEqualTo(SECRET_PATH)).willReturn(aResponse().withStatus(500).withBody("boom at " + SECRET_PATH)));
        WebhookChannel failing = channel(URI.create(server.baseUrl() + SECRET_PATH));
        WebhookChannel refused = channel(URI.create("http://127.0.0.1:1" + SECRET_PATH));
        // When they are called directly and through the notifier's retries
        assertThatThrownBy(() -> failing.send(NOTIFICATION))
                .hasMessageContaining("500").hasMessageNotContaining("SECRET-TOKEN").hasNoCause();
        assertThatThrownBy(() -> refused.send(NOTIFICATION))
                .hasMessageContaining("127.0.0.1").hasMessageNotContaining("SECRET-TOKEN").hasNoCause();
        List<String> failures = NotifierAccess.deliver(failing, NOTIFICATION, 1);
        failures.addAll(NotifierAccess.deliver(refused, NOTIFICATION, 1));
        // Then the failures are reported, and neither they nor any log line contain the secret path
        assertThat(failures).hasSize(2).allSatisfy(reason -> assertThat(reason).doesNotContain("SECRET-TOKEN"));
        assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain("SECRET-TOKEN");
            assertThat(event.getThrowableProxy()).isNull();
        });
        assertThat(new io.tally.notification.NotificationProperties.Webhook(true, URI.create(server.baseUrl() + SECRET_PATH),
                Duration.ofSeconds(1), Duration.ofSeconds(1)).toString()).doesNotContain("SECRET-TOKEN");
    }

    private static WebhookChannel channel(URI url) {
        return new WebhookChannel(url, Duration.ofSeconds(2), Duration.ofSeconds(5));
    }
}
