package io.tally.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.Stages;
import io.tally.common.topics.Topics;
import io.tally.events.NotificationRequested;
import io.tally.events.NotificationSent;
import io.tally.events.StageReported;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/** The delivery consumer's logic without a broker: channels, the carried-over channels header, outcomes, dead letters. */
class NotificationDeliveryTest {

    private final RecordingChannel email = new RecordingChannel("email");
    private final RecordingChannel webhook = new RecordingChannel("webhook");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ConsumerRecord<?, ?>> committed = new ArrayList<>();
    private final List<ProducerRecord<String, Object>> published = new ArrayList<>();
    /** {@code <notification id>:<channel>} the sent table holds. */
    private final Set<String> sentTable = new HashSet<>();
    private final NotificationDelivery delivery = new NotificationDelivery(new Notifier(List.of(email, webhook)),
            new NotifyMetrics(meters), (input, consumer, outcomes) -> {
                committed.add(input);
                published.addAll(outcomes);
            }, (notificationId, channel) -> sentTable.contains(notificationId + ":" + channel));

    @Test
    void sendsASecondIntentOfANotificationToNoChannelTheSentTableHasAndWritesNothingButTheOffset() {
        // Given a notification every channel already got (a redelivered notify-job task wrote its intent again)
        sentTable.addAll(List.of("completed:job-9:email", "completed:job-9:webhook"));
        ConsumerRecord<String, NotificationRequested> record = record(intent("completed:job-9", "completed", "job-9", true), 11);

        // When the second intent is delivered
        delivery.onRequest(record, null);

        // Then no channel is called, nothing but the input's offset is committed, and the repeat is counted
        assertThat(email.calls).hasValue(0);
        assertThat(webhook.calls).hasValue(0);
        assertThat(committed).containsExactly(record);
        assertThat(published).isEmpty();
        assertThat(meters.counter(NotifyMetrics.DUPLICATES).count()).isEqualTo(1.0);
    }

    @Test
    void sendsASecondIntentOnlyToTheChannelsTheSentTableLacksAndRecordsOnlyThose() {
        // Given a notification only the email channel got
        sentTable.add("completed:job-8:email");
        ConsumerRecord<String, NotificationRequested> record = record(intent("completed:job-8", "completed", "job-8", false), 12);

        // When its intent is delivered again
        delivery.onRequest(record, null);

        // Then only the webhook is called, and only its NotificationSent is written
        assertThat(email.calls).hasValue(0);
        assertThat(webhook.sent).hasSize(1);
        assertThat(published).extracting(ProducerRecord::key).containsExactly("completed:job-8:webhook");
    }

    @Test
    void sendsToEveryChannelThenWritesOneNotificationSentPerChannelAndTheStageReportWithTheOffset() {
        // Given the intent of a job-end notification
        ConsumerRecord<String, NotificationRequested> record = record(intent("completed:job-1", "completed", "job-1", true), 7);
        // When it is delivered
        delivery.onRequest(record, null);
        // Then both channels got it once, and the outcomes were written with the input's offset
        assertThat(email.sent).singleElement().satisfies(message -> assertThat(message.id()).isEqualTo("completed:job-1"));
        assertThat(webhook.sent).hasSize(1);
        assertThat(committed).containsExactly(record);
        assertThat(published).extracting(ProducerRecord::topic, ProducerRecord::key).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Topics.NOTIFICATIONS_SENT.name(), "completed:job-1:email"),
                org.assertj.core.groups.Tuple.tuple(Topics.NOTIFICATIONS_SENT.name(), "completed:job-1:webhook"),
                org.assertj.core.groups.Tuple.tuple(Topics.STAGE_REPORTED.name(), "job-1"));
        assertThat((NotificationSent) published.get(0).value()).satisfies(sent -> {
            assertThat(sent.getRecipients()).containsExactly("ops@example.com");
            assertThat(sent.getKind()).isEqualTo("completed");
        });
        assertThat((StageReported) published.get(2).value()).satisfies(report -> {
            assertThat(report.getStage()).isEqualTo(Stages.NOTIFY);
            assertThat(report.getDetail()).isEqualTo("email to ops@example.com, webhook to ops@example.com");
        });
    }

    @Test
    void failsWithTheChannelsReachedSoThatTheRetryCallsOnlyTheOthers() {
        // Given a webhook that fails once
        webhook.failuresLeft.set(1);
        ConsumerRecord<String, NotificationRequested> record = record(intent("stalled:job-2:1", "stalled", "job-2", false), 3);
        // When the first attempt runs
        assertThatThrownBy(() -> delivery.onRequest(record, null))
                .isInstanceOf(NotificationDelivery.ChannelsFailedException.class)
                .hasMessageContaining("webhook channel failed").hasMessageContaining("webhook is down")
                .satisfies(failure -> {
                    // Then the retry hop's header carries the channel that got it, and nothing was written
                    Headers headers = NotificationDelivery.deliveredHeader(record, new RuntimeException("Listener failed", failure));
                    record.headers().add(headers.lastHeader(NotificationDelivery.DELIVERED_CHANNELS));
                });
        assertThat(published).isEmpty();
        // When the retry runs with that header
        delivery.onRequest(record, null);
        // Then only the webhook is called again, and both channels are recorded once, with no stage report for a stall
        assertThat(email.calls).hasValue(1);
        assertThat(webhook.calls).hasValue(2);
        assertThat(published).extracting(ProducerRecord::key).containsExactly("stalled:job-2:1:email", "stalled:job-2:1:webhook");
    }

    @Test
    void recordsTheChannelsThatGotADeadLetteredIntentAndCountsTheOthersAsFailed() {
        // Given an intent that reached email only before its last retry
        ConsumerRecord<String, Object> dead = new ConsumerRecord<>(Topics.NOTIFICATION_SERVICE_DLT.name(), 0, 11,
                "failed:job-3", intent("failed:job-3", "failed", "job-3", true));
        dead.headers().add(NotificationDelivery.DELIVERED_CHANNELS, "email".getBytes());
        // When the dead-letter handler sees it, and a record that is no intent
        delivery.onDeadLetter(dead, null);
        delivery.onDeadLetter(new ConsumerRecord<>(Topics.NOTIFICATION_SERVICE_DLT.name(), 0, 12, "x", new byte[] {1}), null);
        // Then email's NotificationSent is written with the dead letter's offset, no stage report, and webhook failed once
        assertThat(published).extracting(ProducerRecord::key).containsExactly("failed:job-3:email");
        assertThat(committed).containsExactly(dead);
        assertThat(meters.get(NotifyMetrics.FAILED).tag("channel", "webhook").counter().count()).isEqualTo(1.0);
        assertThat(email.calls).hasValue(0);
    }

    @Test
    void rejectsAnIntentWhoseKeyIsNotItsNotificationIdAsPoison() {
        // When an intent keyed by something else arrives
        ConsumerRecord<String, NotificationRequested> record = new ConsumerRecord<>(Topics.NOTIFICATIONS_REQUESTED.name(), 0, 1,
                "other", intent("completed:job-4", "completed", "job-4", true));
        // Then it is poison (never retried) and no channel is called
        assertThatThrownBy(() -> delivery.onRequest(record, null)).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("key 'other'");
        assertThat(email.calls).hasValue(0);
    }

    private static ConsumerRecord<String, NotificationRequested> record(NotificationRequested intent, long offset) {
        return new ConsumerRecord<>(Topics.NOTIFICATIONS_REQUESTED.name(), 0, offset, intent.getNotificationId(), intent);
    }

    private static NotificationRequested intent(String id, String kind, String jobId, boolean reportsStage) {
        return NotificationRequested.newBuilder().setNotificationId(id).setKind(kind).setJobId(jobId)
                .setSubject("[tally] " + id).setBody("body of " + id).setFieldsJson("{\"jobId\":\"" + jobId + "\"}")
                .setReportsStage(reportsStage).setRequestedAt(Instant.parse("2026-11-23T10:00:00Z")).build();
    }
}
