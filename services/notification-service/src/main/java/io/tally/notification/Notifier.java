package io.tally.notification;

import io.tally.notification.channels.Notification;
import io.tally.notification.channels.NotificationChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Hands a notification to every configured channel that has not had it yet, retrying each failing channel with an
 * exponential back-off. The wait blocks the stream thread, so retries are bounded (see {@link NotificationProperties.Retry}).
 */
public final class Notifier {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    /** A channel that accepted the notification. */
    record Sent(String channel, List<String> recipients, Instant at) {
    }

    /** What happened on each channel. */
    record Outcome(List<Sent> sent, List<String> failures) {

        boolean failed() {
            return !failures.isEmpty();
        }
    }

    private final List<NotificationChannel> channels;
    private final NotificationProperties.Retry retry;

    public Notifier(List<NotificationChannel> channels, NotificationProperties.Retry retry) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("at least one notification channel is needed");
        }
        this.channels = List.copyOf(channels);
        this.retry = retry;
    }

    /** Names of all channels. */
    Set<String> channelNames() {
        return channels.stream().map(NotificationChannel::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    /** Describes where notifications go, for the notify stage report: "email to a@b, webhook". */
    String describe(Notification notification) {
        return channels.stream().map(channel -> channel.describe(notification)).collect(Collectors.joining(", "));
    }

    /** Sends to every channel not in {@code done}; never throws for channel failures. */
    Outcome deliver(Notification notification, Set<String> done, Kind kind, NotifyMetrics metrics) {
        List<Sent> sent = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (NotificationChannel channel : channels) {
            if (done.contains(channel.name())) {
                continue;
            }
            Exception failure = sendWithRetries(channel, notification);
            if (failure == null) {
                sent.add(new Sent(channel.name(), channel.recipients(notification), Instant.now()));
                metrics.sent(channel.name(), kind);
            } else {
                String reason = "%s channel failed for notification %s after %d retries: %s".formatted(
                        channel.name(), notification.id(), retry.attempts(), failure.getMessage());
                log.warn(reason);
                failures.add(reason);
                metrics.failed(channel.name());
            }
        }
        return new Outcome(sent, failures);
    }

    private Exception sendWithRetries(NotificationChannel channel, Notification notification) {
        ExponentialBackOff backOff = new ExponentialBackOff(retry.initialBackoff().toMillis(), 2.0);
        backOff.setMaxInterval(retry.maxBackoff().toMillis());
        backOff.setMaxAttempts(retry.attempts());
        BackOffExecution execution = backOff.start();
        while (true) {
            try {
                channel.send(notification);
                return null;
            } catch (Exception e) {
                long wait = execution.nextBackOff();
                if (wait == BackOffExecution.STOP) {
                    return e;
                }
                log.info("{} channel failed for {} ({}); retrying in {} ms", channel.name(), notification.id(), e.getMessage(), wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return e;
                }
            }
        }
    }
}
