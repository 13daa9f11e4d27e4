package io.tally.notification;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.notification.channels.Notification;
import io.tally.notification.channels.NotificationChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Lets channel tests run a real channel through the {@link Notifier}'s retries. */
public final class NotifierAccess {

    private NotifierAccess() {
    }

    /** Delivers with {@code retries} retries (10 ms back-off) and returns the failure reasons. */
    public static List<String> deliver(NotificationChannel channel, Notification notification, int retries) {
        Notifier notifier = new Notifier(List.of(channel), new NotificationProperties.Retry(retries, Duration.ofMillis(10), Duration.ofMillis(50)));
        return new ArrayList<>(notifier.deliver(notification, Set.of(), Kind.COMPLETED,
                new NotifyMetrics(new SimpleMeterRegistry())).failures());
    }
}
