package io.tally.scheduler.schedules;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.kafka.AvroSerdes;
import io.tally.events.PipelineTriggered;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.scheduler.SchedulerReplicas;
import io.tally.scheduler.TriggerTopic;
import io.tally.scheduler.cron.SchedulerMetrics;
import io.tally.scheduler.definitions.TestDefinitions;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyEmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Two scheduler replicas in one JVM on a real broker and registry: a change made through the replica that does not
 * lead reaches the leader within seconds, and every instant still fires once. A declared per-second schedule disabled
 * through the standby stops firing on the leader; enabled again, it fires from then on with no instant of the pause;
 * a per-second schedule created through the standby fires on the leader exactly once per instant, with no gap.
 */
@TallyEmbeddedKafka
class RunTimeScheduleLeadershipIntegrationTest {

    private static final Logger LOG = LoggerFactory.getLogger(RunTimeScheduleLeadershipIntegrationTest.class);
    private static final String USER_KEY = "leadership-test-user-key";
    /** The longest a change may take to reach the leader: a follower poll (0.5 s) plus a tick (0.2 s), and margin. */
    private static final Duration PROPAGATION = Duration.ofSeconds(2);

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aScheduleDisabledOrCreatedThroughTheStandbyStopsOrFiresOnTheLeaderOncePerInstant(EmbeddedKafkaBroker broker)
            throws Exception {
        AvroSerdes serdes = AvroSerdes.forRegistry(SchemaRegistryProcess.shared().registryV2Url(), true);
        String pipeline = "it-replicas-" + UUID.randomUUID().toString().substring(0, 8);
        String tick = pipeline + "/tick";
        String fast = pipeline + "/fast";
        ConfigurableApplicationContext a = start(broker, "runtime-a");
        ConfigurableApplicationContext b = start(broker, "runtime-b");
        try {
            // Given a published definition with a per-second schedule, fired by whichever replica leads
            TestDefinitions.publish(new KafkaTestClient(broker.getBrokersAsString(), serdes),
                    TestDefinitions.yaml(pipeline, 1, TestDefinitions.schedule("tick", "*/1 * * * * *", "UTC", true,
                            "fire-once", "top-100")));
            awaitInstants(broker, serdes, tick, 3);
            assertThat(leads(a) ^ leads(b)).as("exactly one leader").isTrue();
            ConfigurableApplicationContext standby = leads(a) ? b : a;

            // When the schedule is disabled through the standby
            HttpResponse<String> disabled = post(standby, "/api/schedules/" + tick + "/disable");
            Instant disabledAt = Instant.now();
            assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);

            // Then the leader fires no instant of it from a moment after that, for four seconds of per-second instants
            Thread.sleep(PROPAGATION.plusSeconds(4).toMillis());
            List<Instant> afterDisable = instants(broker, serdes, tick).stream()
                    .filter(instant -> instant.isAfter(disabledAt.plus(PROPAGATION))).toList();
            assertThat(afterDisable).as("instants fired after the disable reached the leader").isEmpty();
            Instant lastBeforeDisable = instants(broker, serdes, tick).stream().max(Instant::compareTo).orElseThrow();
            LOG.info("Measured: the last instant the leader fired after the disable answered was {} ms after it",
                    Duration.between(disabledAt, lastBeforeDisable).toMillis());

            // When a per-second schedule is created through the standby
            HttpResponse<String> created = post(standby, "/api/schedules", """
                    {"pipeline": "%s", "name": "fast", "cron": "*/1 * * * * *", "missedRuns": "fire-once"}"""
                    .formatted(pipeline));
            Instant createdAt = Instant.now();
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            // Then the leader fires it within seconds, every instant once, consecutive, none from before its creation
            Instant firstFast = awaitInstants(broker, serdes, fast, 5).get(0);
            LOG.info("Measured: the created schedule's first instant was {} ms after the create answered",
                    Duration.between(createdAt, firstFast).toMillis());
            assertThat(firstFast).isAfter(createdAt.minusSeconds(1)).isBefore(createdAt.plus(PROPAGATION).plusSeconds(1));
            assertExactlyOnceAndConsecutive(broker, serdes, fast);

            // When the first schedule is enabled again through the standby
            HttpResponse<String> enabled = post(standby, "/api/schedules/" + tick + "/enable");
            Instant enabledAt = Instant.now();
            assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);

            // Then it fires again, once per instant, and no instant of the pause fires (not even as "missed")
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> instants(broker, serdes, tick).stream()
                    .filter(instant -> instant.isAfter(enabledAt)).count() >= 3);
            assertThat(instants(broker, serdes, tick)).filteredOn(instant -> instant.isAfter(lastBeforeDisable)
                    && instant.isBefore(enabledAt.minusSeconds(1))).as("instants of the pause").isEmpty();
            assertThat(triggerIds(broker, serdes, tick)).doesNotHaveDuplicates();
            assertThat(leads(a) ^ leads(b)).as("still exactly one leader").isTrue();
        } finally {
            a.close();
            b.close();
        }
    }

    private static ConfigurableApplicationContext start(EmbeddedKafkaBroker broker, String instance) {
        return SchedulerReplicas.start(broker, instance, null, List.of(
                "--tally.api.security.api-keys[0].name=test-user",
                "--tally.api.security.api-keys[0].key=" + USER_KEY,
                "--tally.api.security.api-keys[0].roles=USER"));
    }

    private static boolean leads(ConfigurableApplicationContext context) {
        return context.isActive() && context.getBean(SchedulerMetrics.class).isLeader();
    }

    private HttpResponse<String> post(ConfigurableApplicationContext replica, String path) throws Exception {
        return send(replica, path, HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse<String> post(ConfigurableApplicationContext replica, String path, String json)
            throws Exception {
        return send(replica, path, HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpResponse<String> send(ConfigurableApplicationContext replica, String path,
            HttpRequest.BodyPublisher body) throws Exception {
        String port = replica.getEnvironment().getProperty("local.server.port");
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-API-Key", USER_KEY).header("Content-Type", "application/json").POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<ConsumerRecord<String, PipelineTriggered>> triggers(EmbeddedKafkaBroker broker,
            AvroSerdes serdes, String schedule) {
        return TriggerTopic.read(broker.getBrokersAsString(), serdes, t -> schedule.equals(t.getSchedule()));
    }

    private static List<Instant> instants(EmbeddedKafkaBroker broker, AvroSerdes serdes, String schedule) {
        return triggers(broker, serdes, schedule).stream().map(r -> r.value().getScheduledFor()).sorted().toList();
    }

    private static List<String> triggerIds(EmbeddedKafkaBroker broker, AvroSerdes serdes, String schedule) {
        return triggers(broker, serdes, schedule).stream().map(ConsumerRecord::key).toList();
    }

    private static List<Instant> awaitInstants(EmbeddedKafkaBroker broker, AvroSerdes serdes, String schedule,
            int count) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> instants(broker, serdes, schedule), instants -> instants.size() >= count);
    }

    private static void assertExactlyOnceAndConsecutive(EmbeddedKafkaBroker broker, AvroSerdes serdes,
            String schedule) {
        assertThat(triggerIds(broker, serdes, schedule)).doesNotHaveDuplicates();
        List<Instant> instants = new ArrayList<>(instants(broker, serdes, schedule));
        for (int i = 1; i < instants.size(); i++) {
            assertThat(Duration.between(instants.get(i - 1), instants.get(i)))
                    .as("gap between %s and %s", instants.get(i - 1), instants.get(i)).isEqualTo(Duration.ofSeconds(1));
        }
    }
}
