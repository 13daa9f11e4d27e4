package io.tally.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.jobs.NotificationKind;
import io.tally.common.topics.Topics;
import io.tally.events.NotificationRequested;
import io.tally.tasks.notification.SendNotificationInput;
import io.tally.tasks.notification.SendNotificationOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The generic send-notification task: the pipeline's subject and body as one delivery intent per job and stage,
 * which the delivery consumer sends once per channel even when the task is redelivered.
 */
class SendNotificationHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T08:01:00Z"), ZoneOffset.UTC);

    private final List<NotificationRequested> intents = new ArrayList<>();
    private final SendNotificationHandler handler = new SendNotificationHandler(
            NotificationProperties.defaults(Path.of("target/unused-outbox")), new NotifyMetrics(new SimpleMeterRegistry()),
            intents::add, List.of("email", "webhook"), CLOCK);

    private static SendNotificationInput input(String kind) {
        return SendNotificationInput.newBuilder().setJobId("job-7").setPipeline("restaurants-daily").setKind(kind)
                .setSubject("[tally] restaurants-daily Dirtyville: 3 of 5 data tests failed")
                .setBody("Failed tests:\n - not_null_restaurants_name: 1 failing row(s)\n").build();
    }

    @Test
    void requestsThePipelinesMessageUnderAnIdOfItsJobAndStage() throws Exception {
        // When a failure message is sent from the notify stage
        SendNotificationOutput output = handler.run(input("pipeline-failed"), FixedTaskContext.of("job-7", "notify", null));

        // Then one intent carries the subject and body as given, as a failed notification of the job
        assertThat(intents).singleElement().satisfies(intent -> {
            assertThat(intent.getNotificationId()).isEqualTo("pipeline-failed:job-7:notify");
            assertThat(intent.getKind()).isEqualTo(NotificationKind.FAILED.id());
            assertThat(intent.getJobId()).isEqualTo("job-7");
            assertThat(intent.getSubject()).isEqualTo("[tally] restaurants-daily Dirtyville: 3 of 5 data tests failed");
            assertThat(intent.getBody()).contains("not_null_restaurants_name");
            assertThat(intent.getFieldsJson()).contains("\"kind\":\"pipeline-failed\"").contains("\"stage\":\"notify\"");
            assertThat(intent.getReportsStage()).isFalse();
        });
        // And its id is not the service's own job-end notification's, which a FAILED job still gets
        assertThat(output.getNotificationId()).isNotEqualTo(NotificationKind.FAILED.jobNotificationId("job-7"));
        assertThat(output.getChannels()).containsExactly("email", "webhook");
        assertThat(output.getRequestedAt()).isEqualTo(CLOCK.instant());
    }

    @Test
    void aSuccessSummaryIsDeliveredAsACompletedNotification() throws Exception {
        // When a success summary is sent
        handler.run(input("pipeline-succeeded"), FixedTaskContext.of("job-7", "notify", null));

        // Then it is a completed notification
        assertThat(intents).singleElement().satisfies(intent -> {
            assertThat(intent.getNotificationId()).isEqualTo("pipeline-succeeded:job-7:notify");
            assertThat(intent.getKind()).isEqualTo("completed");
        });
    }

    @Test
    void anUnknownKindFailsAtOnce() {
        // When the kind is not one of the two, then the task fails without retry and nothing is requested
        assertThatThrownBy(() -> handler.run(input("pipeline-exploded"), FixedTaskContext.of("job-7", "notify", null)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("bad-input");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("pipeline-succeeded").contains("pipeline-failed");
                });
        assertThat(intents).isEmpty();
    }

    @Test
    void aRedeliveredTaskReachesEachChannelOnce() throws Exception {
        // Given a delivery consumer over two channels whose sent table learns what it records
        RecordingChannel email = new RecordingChannel("email");
        RecordingChannel webhook = new RecordingChannel("webhook");
        Set<String> sentTable = new HashSet<>();
        NotificationDelivery delivery = new NotificationDelivery(new Notifier(List.of(email, webhook)),
                new NotifyMetrics(new SimpleMeterRegistry()), (in, consumer, outcomes) -> outcomes.stream()
                        .filter(record -> record.topic().equals(Topics.NOTIFICATIONS_SENT.name()))
                        .map(ProducerRecord::key).forEach(sentTable::add),
                (notificationId, channel) -> sentTable.contains(notificationId + ":" + channel));

        // When the same task runs twice (a redelivery) and both intents are delivered
        handler.run(input("pipeline-failed"), FixedTaskContext.of("job-7", "notify", null));
        handler.run(input("pipeline-failed"), FixedTaskContext.of("job-7", "notify", null));
        assertThat(intents).extracting(NotificationRequested::getNotificationId).containsOnly("pipeline-failed:job-7:notify")
                .hasSize(2);
        for (int i = 0; i < intents.size(); i++) {
            delivery.onRequest(new ConsumerRecord<>(Topics.NOTIFICATIONS_REQUESTED.name(), 0, i,
                    intents.get(i).getNotificationId(), intents.get(i)), null);
        }

        // Then each channel sent it once
        assertThat(email.sent).hasSize(1);
        assertThat(webhook.sent).hasSize(1);
        assertThat(email.sent.get(0).body()).contains("not_null_restaurants_name");
    }
}
