package io.tally.jobsapi.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tally.common.security.ApiKeys;
import io.tally.common.security.ApiSecurityProperties;
import io.tally.common.security.ApiSecurityProperties.ApiKey;
import io.tally.common.security.ApiSecurityProperties.Role;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which key the dashboard forwards to the scheduler: the signed-in caller's own, found by name and roles among the
 * configured keys, never another key with the same roles; a caller whose key is gone gets no call at all.
 */
class SchedulerClientTest {

    private static final ApiKey BOB = new ApiKey("bob", "bob-key-0123456789", Set.of(Role.USER));
    private static final ApiKey CAROL = new ApiKey("carol", "carol-key-0123456789", Set.of(Role.USER));

    private HttpServer scheduler;
    private final List<String> keys = new CopyOnWriteArrayList<>();
    private SchedulerClient client;

    @BeforeEach
    void startTheScheduler() throws Exception {
        scheduler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        scheduler.createContext("/", exchange -> {
            keys.add(exchange.getRequestHeaders().getFirst("X-API-Key"));
            byte[] body = "{\"name\": \"chart/nightly\", \"enabled\": false}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        scheduler.start();
        client = new SchedulerClient(new DashboardProperties(
                URI.create("http://127.0.0.1:" + scheduler.getAddress().getPort()), Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofMinutes(30)),
                new ApiSecurityProperties(List.of(BOB, CAROL), false, "roles"));
    }

    @AfterEach
    void stopTheScheduler() {
        scheduler.stop(0);
    }

    @Test
    void forwardsTheSignedInCallersOwnKeyNotAnotherWithTheSameRoles() {
        // Given carol signed in (bob's key has the same roles and comes first)
        // When she disables a schedule
        SchedulerClient.Schedule disabled = client.disable("chart/nightly", ApiKeys.authentication(CAROL));

        // Then the scheduler got her key, and its answer is returned
        assertThat(keys).containsExactly(CAROL.key());
        assertThat(disabled.enabled()).isFalse();
    }

    @Test
    void refusesACallerWhoseKeyIsNoLongerConfiguredWithoutCallingTheScheduler() {
        // Given a session of dave, whose key was removed from the configuration since he signed in
        ApiKey dave = new ApiKey("dave", "dave-key-0123456789", Set.of(Role.USER));

        // When he enables a schedule, Then nothing is sent and he is told to sign in again
        assertThatThrownBy(() -> client.enable("chart/nightly", ApiKeys.authentication(dave)))
                .isInstanceOf(SchedulerClient.SchedulerRefused.class).hasMessageContaining("sign in again");
        assertThat(keys).isEmpty();
    }
}
