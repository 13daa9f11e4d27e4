package io.tally.notification;

import io.tally.common.jobs.NotificationKind;
import io.tally.notification.channels.Notification;
import io.tally.notification.channels.NotificationChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a notification to every configured channel that has not had it yet, one attempt each. Called by the
 * delivery consumer ({@link NotificationDelivery}), never by the stream thread; retries are Spring Kafka's retry
 * topics, so a failing channel never holds a thread in a back-off loop.
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

    public Notifier(List<NotificationChannel> channels) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("at least one notification channel is needed");
        }
        this.channels = List.copyOf(channels);
    }

    /** Names of all channels. */
    Set<String> channelNames() {
        return channels.stream().map(NotificationChannel::name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Who each channel reaches, for the {@code NotificationSent} of a channel delivered in an earlier attempt. */
    List<String> recipients(String channelName, Notification notification) {
        return channels.stream().filter(channel -> channel.name().equals(channelName)).findFirst()
                .map(channel -> channel.recipients(notification)).orElse(List.of());
    }

    /** Describes where notifications go, for the notify stage report: "email to a@b, webhook". */
    String describe(Notification notification) {
        return channels.stream().map(channel -> channel.describe(notification)).collect(Collectors.joining(", "));
    }

    /** Sends once to every channel not in {@code done}; never throws for channel failures. */
    Outcome deliver(Notification notification, Set<String> done, NotificationKind kind, NotifyMetrics metrics) {
        List<Sent> sent = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (NotificationChannel channel : channels) {
            if (done.contains(channel.name())) {
                continue;
            }
            try {
                channel.send(notification);
                sent.add(new Sent(channel.name(), channel.recipients(notification), Instant.now()));
                metrics.sent(channel.name(), kind);
            } catch (Exception e) {
                String reason = "%s channel failed for notification %s: %s".formatted(channel.name(), notification.id(), e.getMessage());
                log.warn(reason);
                failures.add(reason);
            }
        }
        return new Outcome(sent, failures);
    }
}
