package io.tally.notification;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.events.NotificationSent;
import io.tally.notification.channels.Notification;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The exactly-once bookkeeping around one send, shared by both processors: the sent-ids store (notification id →
 * channels that accepted it) is checked first, each accepting channel gets a {@code NotificationSent}, and a channel
 * that still fails after its retries dead-letters the input with the reason. Store writes and outputs commit with
 * the input offsets in one exactly_once_v2 transaction; only the channel call itself is outside it.
 */
final class Dispatch {

    private final Notifier notifier;
    private final NotifyMetrics metrics;
    private final KeyValueStore<String, String> sent;
    private final ProcessorContext<Object, Object> context;
    private final String sentSink;
    private final String deadLetterSink;

    Dispatch(Notifier notifier, NotifyMetrics metrics, KeyValueStore<String, String> sent,
             ProcessorContext<Object, Object> context, String sentSink, String deadLetterSink) {
        this.notifier = notifier;
        this.metrics = metrics;
        this.sent = sent;
        this.context = context;
        this.sentSink = sentSink;
        this.deadLetterSink = deadLetterSink;
    }

    /** Whether every channel already has the notification. */
    boolean done(String notificationId) {
        return channelsDone(notificationId).containsAll(notifier.channelNames());
    }

    Notifier notifier() {
        return notifier;
    }

    /**
     * Sends to the channels that do not have it yet and records the result.
     *
     * @param deadLetterKey key of the dead letter if a channel fails (the input's key)
     * @param raw           the input's original bytes, kept in the dead letter
     * @param sourceTopic   the input's topic, for the dead letter's headers
     * @return whether every channel now has the notification
     */
    boolean send(Kind kind, Notification notification, Object deadLetterKey, byte[] raw, String sourceTopic) {
        Set<String> done = channelsDone(notification.id());
        if (done.containsAll(notifier.channelNames())) {
            metrics.duplicate();
            return true;
        }
        Notifier.Outcome outcome = notifier.deliver(notification, done, kind, metrics);
        long now = context.currentSystemTimeMs();
        for (Notifier.Sent delivery : outcome.sent()) {
            done.add(delivery.channel());
            String key = notification.id() + ":" + delivery.channel();
            NotificationSent record = NotificationSent.newBuilder()
                    .setNotificationId(key)
                    .setJobId(notification.jobId())
                    .setKind(kind.id())
                    .setChannel(delivery.channel())
                    .setRecipients(delivery.recipients())
                    .setSubject(notification.subject())
                    .setSentAt(delivery.at())
                    .build();
            context.forward(new Record<>(key, record, now), sentSink);
        }
        if (!outcome.sent().isEmpty()) {
            sent.put(notification.id(), String.join(",", done));
        }
        if (outcome.failed()) {
            String reason = String.join("; ", outcome.failures());
            RecordHeaders headers = new RecordHeaders();
            headers.add(DeadLetterHeaders.STREAMS_MESSAGE, reason.getBytes(StandardCharsets.UTF_8));
            headers.add(DeadLetterHeaders.STREAMS_EXCEPTION, ChannelFailedException.class.getName().getBytes(StandardCharsets.UTF_8));
            headers.add(DeadLetterHeaders.STREAMS_TOPIC, sourceTopic.getBytes(StandardCharsets.UTF_8));
            context.recordMetadata().ifPresent(metadata -> {
                headers.add(DeadLetterHeaders.STREAMS_PARTITION, Integer.toString(metadata.partition()).getBytes(StandardCharsets.UTF_8));
                headers.add(DeadLetterHeaders.STREAMS_OFFSET, Long.toString(metadata.offset()).getBytes(StandardCharsets.UTF_8));
            });
            context.forward(new Record<>(deadLetterKey, raw, now, headers), deadLetterSink);
            return false;
        }
        return true;
    }

    private Set<String> channelsDone(String notificationId) {
        String value = sent.get(notificationId);
        return value == null || value.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>(Arrays.asList(value.split(",")));
    }

    /** Names the failure in the dead letter's exception header; never thrown. */
    static final class ChannelFailedException extends RuntimeException {
        private ChannelFailedException() {
        }
    }
}
