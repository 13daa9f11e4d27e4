package io.tally.notification.channels;

import java.util.List;

/** A way to deliver a {@link Notification}: email, webhook or the offline outbox folder. */
public interface NotificationChannel {

    /** Channel name as in {@code NotificationSent.channel} and the metric tag: email, webhook or outbox. */
    String name();

    /** Who receives what this channel sends, safe to publish and log (email addresses, a webhook host, a path). */
    List<String> recipients(Notification notification);

    /** How the stage report describes this delivery, such as "email to a@b". */
    default String describe(Notification notification) {
        return name() + " to " + String.join(", ", recipients(notification));
    }

    /** Delivers the notification or throws; the message of what it throws must be safe to log. */
    void send(Notification notification) throws Exception;
}
