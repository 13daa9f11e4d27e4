package io.tally.notification;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.NotificationKind;
import io.tally.common.jobs.Stages;
import io.tally.common.kafka.OutcomePublisher;
import io.tally.common.topics.Topics;
import io.tally.events.NotificationRequested;
import io.tally.events.NotificationSent;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.notification.channels.Notification;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * The notification service's delivery consumer (ADR 0009): a plain Spring Kafka listener (its own group,
 * read_committed) that sends each {@code NotificationRequested} the topology decided to every channel, outside any
 * Streams transaction, and then writes the outcomes that exist since before the intent topic ({@code NotificationSent}
 * per channel, the job's {@code notify} stage report) with the input offset in one short transaction.
 * <p>
 * Delivery is at-least-once under idempotency keys: a crash between a channel call and that commit repeats the
 * call with the same {@code Message-ID} / {@code Idempotency-Key} / outbox file, and the outcomes are written once.
 * A second intent of a notification (a redelivered {@code notify-job} task, a redriven or replayed intent) skips the
 * channels the sent table ({@link NotificationTopology#DELIVERED_STORE}) says it reached. Known gap: two intents of
 * one notification read within the table's lag (milliseconds) may both be sent.
 * A failing channel sends the intent through Spring Kafka's retry topics; the channels an attempt did reach travel
 * in the {@link #DELIVERED_CHANNELS} header, so a retry calls only the others. After the last attempt the intent is
 * on {@code tally.dlt.notification-service}, and {@link #onDeadLetter} records the channels that did get it.
 */
public class NotificationDelivery {

    /** Listener id of the main endpoint; retry and DLT endpoints derive theirs from it. */
    public static final String LISTENER_ID = "notification-delivery";
    /** Bean and method name of the dead-letter handler, for the retry topic configuration. */
    public static final String BEAN_NAME = "notificationDelivery";
    public static final String DLT_METHOD = "onDeadLetter";
    /** Header with the comma-separated channels that earlier attempts reached. */
    public static final String DELIVERED_CHANNELS = "tally-delivered-channels";

    private static final Logger log = LoggerFactory.getLogger(NotificationDelivery.class);

    /** Whether a notification already reached a channel, as far as {@code tally.notifications.sent} shows. */
    @FunctionalInterface
    interface Delivered {
        boolean reached(String notificationId, String channel);
    }

    private final Notifier notifier;
    private final NotifyMetrics metrics;
    private final OutcomePublisher outcomes;
    private final Delivered delivered;

    NotificationDelivery(Notifier notifier, NotifyMetrics metrics, OutcomePublisher outcomes, Delivered delivered) {
        this.notifier = notifier;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.delivered = delivered;
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, groupId = "${tally.notify.delivery.group-id}",
            topics = "#{T(io.tally.common.topics.Topics).NOTIFICATIONS_REQUESTED.name()}")
    public void onRequest(ConsumerRecord<String, NotificationRequested> record, Consumer<?, ?> consumer) {
        NotificationRequested intent = validated(record);
        NotificationKind kind = NotificationKind.of(intent.getKind());
        Notification notification = Messages.of(intent);
        Set<String> done = deliveredChannels(record.headers());
        // Channels an earlier intent of the same notification reached (and recorded) are not called again.
        Set<String> before = new LinkedHashSet<>();
        for (String channel : notifier.channelNames()) {
            if (!done.contains(channel) && delivered.reached(intent.getNotificationId(), channel)) {
                before.add(channel);
            }
        }
        done.addAll(before);
        if (!before.isEmpty() && done.containsAll(notifier.channelNames())) {
            log.info("Notification {} reached every channel before; not sent again", intent.getNotificationId());
            metrics.duplicate();
            outcomes.publish(record, consumer, List.of());
            return;
        }
        Notifier.Outcome outcome = notifier.deliver(notification, done, kind, metrics);
        Map<String, Notifier.Sent> sentNow = new LinkedHashMap<>();
        outcome.sent().forEach(sent -> sentNow.put(sent.channel(), sent));
        done.addAll(sentNow.keySet());
        if (outcome.failed()) {
            throw new ChannelsFailedException(String.join("; ", outcome.failures()), done);
        }
        Set<String> recorded = new LinkedHashSet<>(done);
        recorded.removeAll(before);
        List<ProducerRecord<String, Object>> records = sentRecords(intent, notification, recorded, sentNow);
        if (intent.getReportsStage() && intent.getJobId() != null) {
            StageReported report = Stages.report(intent.getJobId(), Stages.NOTIFY, StageState.SUCCEEDED, 1, 1L,
                    notifier.describe(notification));
            records.add(new ProducerRecord<>(Topics.STAGE_REPORTED.name(), intent.getJobId(), report));
        }
        outcomes.publish(record, consumer, records);
    }

    /**
     * Handles an intent that still failed after the last retry: records the channels that did get it (their
     * {@code NotificationSent}) and counts the others as failed. No {@code notify} stage is reported (a FAILED report
     * would echo back through the tracker's status); the intent stays on the dead-letter topic, from where a redrive
     * puts it back on {@code tally.notifications.requested}. Other records on that topic (the topology's poison
     * input) are not intents and are skipped.
     */
    public void onDeadLetter(ConsumerRecord<String, Object> record, Consumer<?, ?> consumer) {
        if (!(record.value() instanceof NotificationRequested intent)) {
            return;
        }
        Notification notification = Messages.of(intent);
        Set<String> done = deliveredChannels(record.headers());
        for (String channel : notifier.channelNames()) {
            if (!done.contains(channel)) {
                metrics.failed(channel);
            }
        }
        log.warn("Notification {} was not delivered to every channel after its retries ({} reached: {}): {}",
                intent.getNotificationId(), done.size(), done, DeadLetterHeaders.reason(record.headers()));
        if (!done.isEmpty()) {
            outcomes.publish(record, consumer, sentRecords(intent, notification, done, Map.of()));
        }
    }

    private List<ProducerRecord<String, Object>> sentRecords(NotificationRequested intent, Notification notification,
                                                             Set<String> channels, Map<String, Notifier.Sent> sentNow) {
        List<ProducerRecord<String, Object>> records = new ArrayList<>();
        for (String channel : channels) {
            Notifier.Sent sent = sentNow.get(channel);
            String key = intent.getNotificationId() + ":" + channel;
            records.add(new ProducerRecord<>(Topics.NOTIFICATIONS_SENT.name(), key, NotificationSent.newBuilder()
                    .setNotificationId(key)
                    .setJobId(intent.getJobId())
                    .setKind(intent.getKind())
                    .setChannel(channel)
                    .setRecipients(sent != null ? sent.recipients() : notifier.recipients(channel, notification))
                    .setSubject(intent.getSubject())
                    .setSentAt(sent != null ? sent.at() : Instant.now())
                    .build()));
        }
        return records;
    }

    private static NotificationRequested validated(ConsumerRecord<String, NotificationRequested> record) {
        NotificationRequested intent = record.value();
        if (intent == null) {
            throw new PoisonRecordException("Notification request at offset %d has no value (tombstone)".formatted(record.offset()));
        }
        if (!intent.getNotificationId().equals(record.key())) {
            throw new PoisonRecordException("Notification request key '%s' differs from its notificationId '%s'"
                    .formatted(record.key(), intent.getNotificationId()));
        }
        try {
            NotificationKind.of(intent.getKind());
        } catch (IllegalArgumentException e) {
            throw new PoisonRecordException("Notification request '%s': %s".formatted(record.key(), e.getMessage()));
        }
        return intent;
    }

    /** The channels earlier attempts reached, from the last {@link #DELIVERED_CHANNELS} header. */
    static Set<String> deliveredChannels(Headers headers) {
        Header header = headers.lastHeader(DELIVERED_CHANNELS);
        if (header == null || header.value() == null || header.value().length == 0) {
            return new LinkedHashSet<>();
        }
        return new LinkedHashSet<>(Arrays.asList(new String(header.value(), StandardCharsets.UTF_8).split(",")));
    }

    /** The header a retry hop adds: the channels reached so far, carried by the failure (see retry configuration). */
    static Headers deliveredHeader(ConsumerRecord<?, ?> record, Exception failure) {
        RecordHeaders headers = new RecordHeaders();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ChannelsFailedException channels) {
                headers.add(DELIVERED_CHANNELS, String.join(",", channels.delivered()).getBytes(StandardCharsets.UTF_8));
                break;
            }
        }
        return headers;
    }

    /** Some channel refused the notification; {@link #delivered()} are the channels that have it. */
    static final class ChannelsFailedException extends RuntimeException {

        private final Set<String> delivered;

        ChannelsFailedException(String reason, Set<String> delivered) {
            super(reason);
            this.delivered = new LinkedHashSet<>(delivered);
        }

        Set<String> delivered() {
            return delivered;
        }
    }
}
