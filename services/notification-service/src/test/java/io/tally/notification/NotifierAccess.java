package io.tally.notification;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.jobs.NotificationKind;
import io.tally.notification.channels.Notification;
import io.tally.notification.channels.NotificationChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Lets channel tests run a real channel through the {@link Notifier}, attempt after attempt as the retry topics do. */
public final class NotifierAccess {

    private NotifierAccess() {
    }

    /** Delivers in up to {@code retries + 1} attempts, stopping at the first success; the last attempt's failures. */
    public static List<String> deliver(NotificationChannel channel, Notification notification, int retries) {
        Notifier notifier = new Notifier(List.of(channel));
        List<String> failures = List.of();
        for (int attempt = 0; attempt <= retries; attempt++) {
            failures = notifier.deliver(notification, Set.of(), NotificationKind.COMPLETED, new NotifyMetrics(new SimpleMeterRegistry())).failures();
            if (failures.isEmpty()) {
                break;
            }
        }
        return new ArrayList<>(failures);
    }
}
