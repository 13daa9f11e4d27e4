package io.tally.notification;

import io.tally.common.jobs.NotificationKind;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What the notification service sends, where, and how patiently. Bound from {@code tally.notify.*}; the topology
 * takes it as a plain argument. SMTP server settings stay under Spring Boot's {@code spring.mail.*}.
 *
 * @param kinds             which kinds of event are notified (completed, failed, timed-out, cancelled, stalled, dead-letter)
 * @param playlistWait      how long a completed job whose pipeline has a playlist stage waits for that stage to end
 *                          before it is notified without the playlist link
 * @param checkInterval     how often (wall clock) waiting jobs are checked against {@code playlistWait}
 * @param maxFailedItems    failed items kept and listed per job
 * @param outboxDir         folder where notifications are written as {@code .eml} text files when neither email nor
 *                          webhook is enabled (the offline default); {@code ${user.home}/.tally/outbox} if unset
 * @param retry             how often and how patiently a failing delivery is retried (Spring Kafka retry topics)
 *                          before the intent is dead-lettered
 * @param delivery          the delivery consumer that sends decided notifications outside the Streams transaction
 * @param email             the SMTP channel
 * @param webhook           the webhook channel
 */
@Validated
@ConfigurationProperties("tally.notify")
public record NotificationProperties(
        @NotNull @DefaultValue({"completed", "failed", "timed-out", "cancelled", "stalled", "dead-letter"}) Set<NotificationKind> kinds,
        @NotNull @DefaultValue("PT2M") Duration playlistWait,
        @NotNull @DefaultValue("PT1S") Duration checkInterval,
        @Min(0) @Max(1000) @DefaultValue("20") int maxFailedItems,
        Path outboxDir,
        @Valid @NotNull @DefaultValue Retry retry,
        @Valid @NotNull @DefaultValue Delivery delivery,
        @Valid @NotNull @DefaultValue Email email,
        @Valid @NotNull @DefaultValue Webhook webhook) {

    /**
     * Retries of a delivery, as Spring Kafka retry topics ({@code tally.notifications.requested-retry-<ms>}); a retry
     * calls only the channels that have not accepted the notification yet.
     *
     * @param attempts       retries after the first delivery (so {@code attempts + 1} deliveries at most)
     * @param initialBackoff wait before the first retry; doubled for each further retry
     * @param maxBackoff     longest wait between two retries
     */
    public record Retry(
            @Min(0) @Max(10) @DefaultValue("3") int attempts,
            @NotNull @DefaultValue("PT0.5S") Duration initialBackoff,
            @NotNull @DefaultValue("PT5S") Duration maxBackoff) {
    }

    /**
     * The delivery consumer.
     *
     * @param groupId             its consumer group (not the Streams application id); retry and DLT listeners add
     *                            Spring's suffixes
     * @param transactionIdPrefix prefix of the transactional ids of the producer that writes outcomes with the input
     *                            offset; must be unique per instance
     */
    public record Delivery(
            @NotBlank @DefaultValue("tally-notification-delivery") String groupId,
            @NotBlank @DefaultValue("notification-delivery-") String transactionIdPrefix) {
    }

    /**
     * The email channel; the SMTP server is {@code spring.mail.host/port/username/password}.
     *
     * @param enabled whether notifications are emailed
     * @param from    sender address
     * @param to      recipient addresses
     */
    public record Email(
            @DefaultValue("false") boolean enabled,
            @NotNull @DefaultValue("tally@localhost") String from,
            @NotNull @DefaultValue List<String> to) {
    }

    /**
     * The webhook channel: a JSON POST with a Slack-compatible {@code text} field.
     *
     * @param enabled        whether notifications are posted
     * @param url            where to post; a secret (it often embeds a token), so it is never logged, only its host
     * @param connectTimeout TCP connect timeout
     * @param readTimeout    how long to wait for the response
     */
    public record Webhook(
            @DefaultValue("false") boolean enabled,
            URI url,
            @NotNull @DefaultValue("PT5S") Duration connectTimeout,
            @NotNull @DefaultValue("PT10S") Duration readTimeout) {

        @Override
        public String toString() {
            // The URL is a secret: keep it out of logs and failure analyses that print the bound properties.
            return "Webhook[enabled=%s, host=%s, connectTimeout=%s, readTimeout=%s]"
                    .formatted(enabled, url == null ? null : url.getHost(), connectTimeout, readTimeout);
        }
    }

    public NotificationProperties {
        if (outboxDir == null) {
            // @DefaultValue does not resolve placeholders, so the home-relative default is filled in here.
            outboxDir = Path.of(System.getProperty("user.home"), ".tally", "outbox");
        }
    }

    /** Whether {@code kind} is notified. */
    public boolean notifies(NotificationKind kind) {
        return kinds.contains(kind);
    }

    /** Defaults for code that does not go through Spring, writing to {@code outboxDir}. */
    public static NotificationProperties defaults(Path outboxDir) {
        return new NotificationProperties(EnumSet.allOf(NotificationKind.class), Duration.ofMinutes(2), Duration.ofSeconds(1), 20, outboxDir,
                new Retry(3, Duration.ofMillis(500), Duration.ofSeconds(5)),
                new Delivery("tally-notification-delivery", "notification-delivery-"),
                new Email(false, "tally@localhost", List.of()), new Webhook(false, null, Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }
}
