package io.tally.notification;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.jobs.Stages;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.JobState;
import io.tally.events.NotificationSent;
import io.tally.events.StageReported;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole service on a real KRaft broker (in-JVM), a real Apicurio registry process and a real SMTP server
 * (GreenMail), with exactly_once_v2 and the dead-letter topic.
 */
@TallyServiceTest(properties = {
        "tally.notify.email.enabled=true",
        "tally.notify.email.from=tally@example.com",
        "tally.notify.email.to=ops@example.com",
        "tally.notify.retry.initial-backoff=50ms"})
class NotificationServiceIntegrationTest {

    private static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

    @DynamicPropertySource
    static void externalServers(DynamicPropertyRegistry properties) {
        if (!SMTP.isRunning()) {
            SMTP.start();
        }
        properties.add("spring.mail.host", () -> "localhost");
        properties.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
    }

    @AfterAll
    static void stopSmtp() {
        SMTP.stop();
    }

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void sendsOneEmailForACompletedJobEvenWhenItsStatusIsRedeliveredAndDeadLettersPoison() throws Exception {
        // Given a completed job whose status arrives twice, with a poison status in between
        String jobId = "it-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer();
             KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            // When they are produced
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), jobId,
                    NotifyDriver.job(jobId, JobState.COMPLETED, 0, null, null))).get();
            raw.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), jobId, "not avro".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), jobId,
                    NotifyDriver.job(jobId, JobState.COMPLETED, 0, null, null))).get();
        }
        // Then exactly one email reaches the recipient, with the summary
        assertThat(SMTP.waitForIncomingEmail(WAIT.toMillis(), 1)).isTrue();
        List<ConsumerRecord<String, NotificationSent>> history = kafka.await(Topics.NOTIFICATIONS_SENT.name(),
                NotificationSent.class, record -> record.key() != null && record.key().startsWith("completed:" + jobId), 1, WAIT);
        List<ConsumerRecord<String, StageReported>> reports = kafka.await(Topics.STAGE_REPORTED.name(),
                StageReported.class, KafkaTestClient.withKey(jobId), 1, WAIT);
        List<ConsumerRecord<String, byte[]>> dead = kafka.awaitRaw(Topics.NOTIFICATION_SERVICE_DLT.name(),
                KafkaTestClient.withKey(jobId), 1, WAIT);
        MimeMessage[] received = SMTP.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getSubject()).contains(jobId).contains("completed");
        assertThat(GreenMailUtil.getBody(received[0])).contains("9 expected, 9 succeeded").contains("Duration: 5m 3s");
        assertThat(received[0].getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
        // And the history, the notify stage report and the dead letter are committed once each
        assertThat(history).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("completed:" + jobId + ":email");
            assertThat(record.value().getRecipients()).containsExactly("ops@example.com");
        });
        assertThat(reports).singleElement().satisfies(record -> {
            assertThat(record.value().getStage()).isEqualTo(Stages.NOTIFY);
            assertThat(record.value().getDetail()).isEqualTo("email to ops@example.com");
        });
        assertThat(dead).singleElement().satisfies(record -> {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(DeadLetterHeaders.reason(record.headers())).contains("magic byte");
        });
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void notifiesADeadLetterOnATaskTypesTopicCreatedAfterItStarted() throws Exception {
        // Given the running service, and a task type's dead-letter topic that a pipeline brings later
        String topic = TaskHeaders.deadLetterTopic("late-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(Topics.taskDeadLetters(topic).orElseThrow().toNewTopic(1, (short) 1))).all().get();
        }

        // When a worker dead-letters a request there at once, before the service has seen the topic
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.TALLY_REASON, "failed 3 times: upstream 503".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(topic, null, "job-late", "request".getBytes(StandardCharsets.UTF_8), headers))
                    .get();
        }

        // Then it is emailed once the next metadata refresh brings the topic (30 s, not the client's 5 minutes)
        String id = "dead-letter:" + topic + ":0:0";
        assertThat(kafka.await(Topics.NOTIFICATIONS_SENT.name(), NotificationSent.class,
                record -> record.key() != null && record.key().startsWith(id), 1, Duration.ofMinutes(2)))
                .singleElement().satisfies(record -> assertThat(record.key()).isEqualTo(id + ":email"));
    }
}
