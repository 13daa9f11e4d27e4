package io.tally.scheduler;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.scheduler.cron.ScheduleLeader;
import io.tally.scheduler.cron.SchedulerMetrics;
import io.tally.testsupport.TallyEmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Two scheduler replicas in one JVM on a real broker and registry: a per-second schedule must fire each instant
 * exactly once, with no gap, while replicas join, get fenced and leave.
 */
@TallyEmbeddedKafka
class SchedulerLeadershipIntegrationTest {

    @Test
    void firesEachInstantExactlyOnceWithTwoReplicasAndContinuesWithoutGapWhenTheLeaderStops(EmbeddedKafkaBroker broker)
            throws Exception {
        String schedule = "fast-" + UUID.randomUUID().toString().substring(0, 8);
        AvroSerdes serdes = AvroSerdes.forRegistry(SchemaRegistryProcess.shared().registryV2Url(), true);
        ConfigurableApplicationContext a = start(broker, "scheduler-a", schedule);
        ConfigurableApplicationContext b = start(broker, "scheduler-b", schedule);
        try {
            // Given two replicas running a per-second schedule for a while
            awaitTriggers(broker, serdes, schedule, 5);
            // (two more instants, so that a second replica firing the same instants would have had the time to)
            List<Instant> first = await().atMost(WAIT).until(() -> instants(broker, serdes, schedule),
                    instants -> instants.size() >= 7);
            // Then every instant appears once and the instants are consecutive
            assertExactlyOnceAndConsecutive(broker, serdes, schedule);
            assertThat(leaderOf(a) ^ leaderOf(b)).as("exactly one leader").isTrue();

            // When the leader's context closes
            ConfigurableApplicationContext leader = leaderOf(a) ? a : b;
            ConfigurableApplicationContext survivor = leader == a ? b : a;
            leader.close();
            Instant closedAt = Instant.now();
            awaitCondition(() -> leaderOf(survivor));
            awaitCondition(() -> instants(broker, serdes, schedule).stream().anyMatch(i -> i.isAfter(closedAt.plusSeconds(3))));

            // Then the other replica carries on from the last instant: no duplicate, no gap
            List<Instant> after = assertExactlyOnceAndConsecutive(broker, serdes, schedule);
            assertThat(after.size()).isGreaterThan(first.size() + 3);
            assertThat(survivor.getBean(ScheduleLeader.class).lastFired().get(schedule)).isAfter(closedAt);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void stepsDownWhenFencedByANewerLeaderAndResumesWithoutDuplicates(EmbeddedKafkaBroker broker) throws Exception {
        String schedule = "fenced-" + UUID.randomUUID().toString().substring(0, 8);
        AvroSerdes serdes = AvroSerdes.forRegistry(SchemaRegistryProcess.shared().registryV2Url(), true);
        ConfigurableApplicationContext replica = start(broker, "scheduler-c", schedule);
        try {
            // Given one leading replica that fired a few instants
            awaitTriggers(broker, serdes, schedule, 3);
            assertThat(leaderOf(replica)).isTrue();
            int before = instants(broker, serdes, schedule).size();
            // When another producer takes the leader's transactional id (what a new leader does), fencing the replica
            try (KafkaProducer<String, String> usurper = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, ScheduleLeader.LEADER_TRANSACTIONAL_ID),
                    new StringSerializer(), new StringSerializer())) {
                usurper.initTransactions();
            }
            // Then the replica steps down, rejoins its group, leads again and the instants stay unique and consecutive
            awaitCondition(() -> instants(broker, serdes, schedule).size() > before + 4);
            assertExactlyOnceAndConsecutive(broker, serdes, schedule);
            assertThat(leaderOf(replica)).isTrue();
        } finally {
            replica.close();
        }
    }

    @Test
    void skipsAnUnreadableRecordOnTheFiredTopicAndStillFires(EmbeddedKafkaBroker broker) throws Exception {
        String schedule = "poisoned-" + UUID.randomUUID().toString().substring(0, 8);
        AvroSerdes serdes = AvroSerdes.forRegistry(SchemaRegistryProcess.shared().registryV2Url(), true);
        // Given a record that is not Avro on the fired topic, the leader's memory (created here if no replica did yet)
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            admin.createTopics(List.of(Topics.SCHEDULES_FIRED.toNewTopic(1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            assertThat(e).hasCauseInstanceOf(TopicExistsException.class);
        }
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.SCHEDULES_FIRED.name(), schedule,
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        // When a replica starts and reads the topic to become leader
        ConfigurableApplicationContext replica = start(broker, "scheduler-d", schedule);
        try {
            // Then it skips the record, leads and fires consecutive instants
            awaitTriggers(broker, serdes, schedule, 3);
            assertThat(leaderOf(replica)).isTrue();
            assertExactlyOnceAndConsecutive(broker, serdes, schedule);
        } finally {
            replica.close();
        }
    }

    @Test
    void keepsRetryingAFailingLeaderLoopTurnsLivenessDownAfterTheFailureLimitAndUpWhenItRecovers(
            EmbeddedKafkaBroker broker) throws Exception {
        String schedule = "failing-" + UUID.randomUUID().toString().substring(0, 8);
        AvroSerdes serdes = AvroSerdes.forRegistry(SchemaRegistryProcess.shared().registryV2Url(), true);
        BreakableClock clock = new BreakableClock();
        ConfigurableApplicationContext replica = start(broker, "scheduler-e", schedule, clock,
                "--tally.scheduler.recovery.initial-backoff=100ms", "--tally.scheduler.recovery.max-backoff=400ms",
                "--tally.scheduler.recovery.liveness-failures=3");
        try {
            // Given a leading replica that fires
            awaitTriggers(broker, serdes, schedule, 2);
            assertThat(liveness(replica).statusCode()).isEqualTo(200);
            // When every firing throws (its clock fails on every read)
            clock.broken = true;
            // Then liveness turns DOWN, naming the leader loop, once it failed three times in a row
            HttpResponse<String> down = await().atMost(WAIT).until(() -> liveness(replica), r -> r.statusCode() == 503);
            assertThat(down.body()).contains("\"schedulerLeader\"").contains("IllegalStateException");
            // And the loop keeps retrying rather than giving up
            int readsWhenDown = clock.failedReads.get();
            await().atMost(WAIT).until(() -> clock.failedReads.get() >= readsWhenDown + 2);
            // When the clock works again
            clock.broken = false;
            int firedBefore = instants(broker, serdes, schedule).size();
            // Then the replica fires again and liveness is UP again
            awaitTriggers(broker, serdes, schedule, firedBefore + 2);
            await().atMost(WAIT).until(() -> liveness(replica).statusCode() == 200);
            assertExactlyOnceAndConsecutive(broker, serdes, schedule);
        } finally {
            replica.close();
        }
    }

    private static HttpResponse<String> liveness(ConfigurableApplicationContext context) throws Exception {
        String port = context.getEnvironment().getProperty("local.server.port");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The system clock, except that while {@code broken} every read throws (and is counted). */
    private static final class BreakableClock extends Clock {

        volatile boolean broken;
        final AtomicInteger failedReads = new AtomicInteger();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the scheduler reads instants only");
        }

        @Override
        public Instant instant() {
            if (broken) {
                failedReads.incrementAndGet();
                throw new IllegalStateException("clock broken by the test");
            }
            return Instant.now();
        }
    }

    private static ConfigurableApplicationContext start(EmbeddedKafkaBroker broker, String instance, String schedule) {
        return start(broker, instance, schedule, null);
    }

    /** Starts a replica; {@code clock}, if given, replaces the scheduler's clock; {@code extra} adds arguments. */
    private static ConfigurableApplicationContext start(EmbeddedKafkaBroker broker, String instance, String schedule,
            Clock clock, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--tally.scheduler.schedules[0].name=" + schedule,
                "--tally.scheduler.schedules[0].pipeline=it-pipeline",
                "--tally.scheduler.schedules[0].cron=*/1 * * * * *",
                "--tally.scheduler.schedules[0].zone=UTC"));
        args.addAll(List.of(extra));
        return SchedulerReplicas.start(broker, instance, clock, args);
    }

    private static boolean leaderOf(ConfigurableApplicationContext context) {
        return context.isActive() && context.getBean(SchedulerMetrics.class).isLeader();
    }

    private static List<Instant> instants(EmbeddedKafkaBroker broker, AvroSerdes serdes, String schedule) {
        return TriggerTopic.read(broker.getBrokersAsString(), serdes, t -> schedule.equals(t.getSchedule())).stream()
                .map(record -> record.value().getScheduledFor()).toList();
    }

    private static List<Instant> assertExactlyOnceAndConsecutive(EmbeddedKafkaBroker broker, AvroSerdes serdes,
            String schedule) {
        List<ConsumerRecord<String, PipelineTriggered>> records = TriggerTopic.read(broker.getBrokersAsString(), serdes,
                t -> schedule.equals(t.getSchedule()));
        List<String> triggerIds = records.stream().map(ConsumerRecord::key).toList();
        // At least two, or the gap check below would look at no pair at all
        assertThat(triggerIds).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(2);
        assertThat(records).allSatisfy(r -> assertThat(r.key())
                .isEqualTo("schedule:" + schedule + "@" + r.value().getScheduledFor()));
        List<Instant> instants = new ArrayList<>(records.stream().map(r -> r.value().getScheduledFor()).sorted().toList());
        for (int i = 1; i < instants.size(); i++) {
            assertThat(Duration.between(instants.get(i - 1), instants.get(i)))
                    .as("gap between %s and %s", instants.get(i - 1), instants.get(i)).isEqualTo(Duration.ofSeconds(1));
        }
        return instants;
    }

    private static void awaitTriggers(EmbeddedKafkaBroker broker, AvroSerdes serdes, String schedule, int count) {
        awaitCondition(() -> instants(broker, serdes, schedule).size() >= count);
    }

    private static void awaitCondition(Callable<Boolean> condition) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(condition);
    }
}
