package io.tally.notification;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobState;
import io.tally.events.NotificationSent;
import io.tally.events.StageReported;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A webhook that answers more slowly than the service's Streams transaction timeout, on a real KRaft broker that
 * aborts timed-out transactions quickly: the service must stay RUNNING, deliver each notification exactly once per
 * idempotency key, and never be fenced.
 */
@ExtendWith(OutputCaptureExtension.class)
@TallyServiceTest(properties = {
        // A transaction timeout well below the receiver's delay, and commits far enough apart that the task's
        // transaction is open when the notification is decided.
        "spring.kafka.streams.properties.producer.transaction.timeout.ms=5000",
        "spring.kafka.streams.properties.commit.interval.ms=2000",
        "tally.notify.webhook.enabled=true",
        "tally.notify.webhook.read-timeout=30s",
        "tally.notify.retry.initial-backoff=50ms"})
class SlowWebhookIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int RECEIVER_DELAY_MS = 8_000;
    private static final String HOOK = "/hooks/slow";
    private static final WireMockServer RECEIVER = new WireMockServer(wireMockConfig().dynamicPort());

    @DynamicPropertySource
    static void externalServers(DynamicPropertyRegistry properties) {
        if (!RECEIVER.isRunning()) {
            RECEIVER.start();
            RECEIVER.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200).withFixedDelay(RECEIVER_DELAY_MS)));
        }
        properties.add("tally.notify.webhook.url", () -> RECEIVER.baseUrl() + HOOK);
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop();
    }

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void deliversEachNotificationOnceWithoutFencingWhenTheWebhookIsSlowerThanTheTransactionTimeout(CapturedOutput output) {
        // Given three jobs that each end with a failed item, while the webhook takes longer than the transaction timeout
        List<String> jobs = List.of("slow-" + UUID.randomUUID(), "slow-" + UUID.randomUUID(), "slow-" + UUID.randomUUID());
        // When their failed items and end statuses arrive
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            for (String jobId : jobs) {
                producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, ItemProcessed.newBuilder()
                        .setJobId(jobId).setItemId("track-1").setOutcome(ItemOutcome.FAILED).setAttempt(1)
                        .setError("no video").setProcessedAt(Instant.now()).build()));
                producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), jobId,
                        NotifyDriver.job(jobId, JobState.COMPLETED_WITH_FAILURES, 1, null, null)));
            }
            producer.flush();
        }
        // Then every job gets one committed NotificationSent and one notify stage report
        List<ConsumerRecord<String, NotificationSent>> sent = kafka.await(Topics.NOTIFICATIONS_SENT.name(), NotificationSent.class,
                record -> record.value() != null && jobs.contains(record.value().getJobId()), jobs.size(), WAIT);
        List<ConsumerRecord<String, StageReported>> reports = kafka.await(Topics.STAGE_REPORTED.name(), StageReported.class,
                record -> jobs.contains(record.key()), jobs.size(), WAIT);
        assertThat(sent).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(jobId -> "failed:" + jobId + ":webhook").toList());
        assertThat(reports).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(jobs);
        // And the receiver saw each idempotency key exactly once
        Map<String, Long> postsPerKey = RECEIVER.findAll(postRequestedFor(urlEqualTo(HOOK))).stream()
                .map(request -> request.getHeader("Idempotency-Key"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(postsPerKey).containsExactlyInAnyOrderEntriesOf(
                jobs.stream().collect(Collectors.toMap(jobId -> "failed:" + jobId, jobId -> 1L)));
        // And the streams client kept running without being fenced
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(output.getAll()).doesNotContain("ProducerFencedException").doesNotContain("InvalidPidMapping")
                .doesNotContain("InvalidProducerEpoch");
    }
}
