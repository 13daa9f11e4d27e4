package io.tally.notification;

import io.tally.common.jobs.NotificationKind;
import io.tally.events.NotificationRequested;
import io.tally.notification.channels.Notification;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The exactly-once decision around one notification, shared by both processors: the sent-ids store is checked
 * first, and a notification not decided yet becomes one {@code NotificationRequested} (the delivery intent) and an
 * entry in the store, committed with the input offsets in one exactly_once_v2 transaction. No channel is called
 * here: the delivery consumer ({@link NotificationDelivery}) does that outside the transaction (ADR 0009).
 */
final class Dispatch {

    /** Store value of a notification whose intent was written (older releases stored the channels that had it). */
    static final String REQUESTED = "requested";

    private final NotifyMetrics metrics;
    private final KeyValueStore<String, String> sent;
    private final ProcessorContext<Object, Object> context;
    private final String requestSink;

    Dispatch(NotifyMetrics metrics, KeyValueStore<String, String> sent, ProcessorContext<Object, Object> context,
             String requestSink) {
        this.metrics = metrics;
        this.sent = sent;
        this.context = context;
        this.requestSink = requestSink;
    }

    /** Whether the notification was already decided (and so is, or will be, delivered). */
    boolean done(String notificationId) {
        return sent.get(notificationId) != null;
    }

    /**
     * Writes the delivery intent of {@code notification} unless it was written before.
     *
     * @return whether this call wrote it (false for a duplicate)
     */
    boolean request(NotificationKind kind, Notification notification) {
        return request(kind, notification, kind.endsJob());
    }

    /**
     * As {@link #request(NotificationKind, Notification)}, saying whether the delivery reports the job's
     * {@code notify} stage; the engine's jobs have stages of their own, which no delivery reports.
     */
    boolean request(NotificationKind kind, Notification notification, boolean reportsStage) {
        if (done(notification.id())) {
            metrics.duplicate();
            return false;
        }
        long now = context.currentSystemTimeMs();
        NotificationRequested intent = Messages.intent(kind, notification, reportsStage, Instant.ofEpochMilli(now));
        context.forward(new Record<>(notification.id(), intent, now), requestSink);
        sent.put(notification.id(), REQUESTED);
        metrics.requested(kind);
        return true;
    }
}
