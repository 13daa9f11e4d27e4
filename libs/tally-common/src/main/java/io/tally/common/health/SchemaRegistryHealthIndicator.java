package io.tally.common.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether the schema registry answers its {@code /system/info} endpoint. It is part of {@code /actuator/health}
 * but not of the readiness group: clients cache schemas, so a short registry outage need not stop a running service.
 */
public final class SchemaRegistryHealthIndicator implements HealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final URI infoUri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public SchemaRegistryHealthIndicator(String registryUrl) {
        this.infoUri = URI.create(registryUrl.replaceAll("/+$", "") + "/system/info");
    }

    @Override
    public Health health() {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(infoUri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            Health.Builder builder = response.statusCode() == 200 ? Health.up() : Health.down();
            return builder.withDetail("url", infoUri.toString()).withDetail("httpStatus", response.statusCode()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down(e).withDetail("url", infoUri.toString()).build();
        } catch (Exception e) {
            return Health.down(e).withDetail("url", infoUri.toString()).build();
        }
    }
}
