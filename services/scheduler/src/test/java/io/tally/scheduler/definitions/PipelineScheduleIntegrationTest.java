package io.tally.scheduler.definitions;

import static io.tally.scheduler.definitions.TestDefinitions.yaml;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.kafka.AvroSerdes;
import io.tally.events.PipelineTriggered;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.TriggerTopic;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A leading scheduler on a real broker and registry fires the schedules of the published pipeline definitions, as the
 * job tracker publishes them: a schedule's trigger carries its parameters, a new version's cron or disabling applies
 * without a restart, and a disabled schedule never fires. Each test uses a pipeline name of its own.
 */
@TallyServiceTest(properties = {"tally.scheduler.tick=200ms", "tally.scheduler.grace=30s"})
class PipelineScheduleIntegrationTest {

    @Value("${spring.embedded.kafka.brokers}")
    String brokers;

    @Autowired
    AvroSerdes serdes;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    Schedules schedules;

    @Autowired
    ServiceHttp http;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void firesAPublishedDefinitionsScheduleWithTheSchedulesParameters() throws Exception {
        // Given a published definition with a per-second schedule that gives a chart parameter
        String pipeline = uniqueName("params");
        publish(yaml(pipeline, 1, schedule("every-second", "*/1 * * * * *", true, "hype-100")));

        // When the scheduler has fired it a few times
        List<PipelineTriggered> triggers = await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> triggers(pipeline + "/every-second"), fired -> fired.size() >= 3);

        // Then each trigger is for the pipeline, named <pipeline>/<schedule>, with the schedule's parameters
        assertThat(triggers).allSatisfy(trigger -> {
            assertThat(trigger.getPipeline()).isEqualTo(pipeline);
            assertThat(trigger.getParameters()).isEqualTo(Map.of("chart", "hype-100"));
            assertThat(trigger.getTriggerId())
                    .isEqualTo("schedule:" + pipeline + "/every-second@" + trigger.getScheduledFor());
        });
        assertThat(triggers).extracting(PipelineTriggered::getTriggerId).doesNotHaveDuplicates();
        // And the schedule list shows it with the definition version it comes from
        HttpResponse<String> list = http.get("/api/schedules");
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode listed = findByName(json.readTree(list.body()), pipeline + "/every-second");
        assertThat(listed.get("source").asString()).isEqualTo(pipeline + "@1");
        assertThat(listed.get("enabled").asBoolean()).isTrue();
        assertThat(listed.get("pipeline").asString()).isEqualTo(pipeline);
    }

    @Test
    void appliesANewVersionsCronWithoutARestart() throws Exception {
        // Given a per-second schedule that fired (version 1)
        // When version 2 changes its cron to every other second (even seconds only)
        String name = uniqueName("recron") + "/tick";
        Instant applied = replaceAfterItFired(name, schedule("tick", "*/2 * * * * *", true, "top-100"));

        // Then the instants fired after that are all on even seconds
        List<Instant> after = await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> instantsAfter(name, applied), instants -> instants.size() >= 3);
        assertThat(after).allSatisfy(instant -> assertThat(instant.getEpochSecond() % 2).as("%s", instant).isZero());
    }

    @Test
    void stopsFiringAScheduleThatANewVersionDisables() throws Exception {
        // Given a per-second schedule that fired (version 1)
        // When version 2 disables it
        String name = uniqueName("disable") + "/tick";
        Instant applied = replaceAfterItFired(name, schedule("tick", "*/1 * * * * *", false, "top-100"));

        // Then no instant after that fires, for three seconds of per-second instants
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> instantsAfter(name, applied).isEmpty());
    }

    @Test
    void neverFiresADisabledSchedule() throws Exception {
        // Given a definition with a per-second schedule enabled and another disabled
        String pipeline = uniqueName("never");
        publish(yaml(pipeline, 1, schedule("on", "*/1 * * * * *", true, "top-100"),
                schedule("off", "*/1 * * * * *", false, "top-100")));

        // When the enabled one has fired several times
        awaitTriggers(pipeline + "/on", 3);

        // Then the disabled one never fired
        assertThat(triggers(pipeline + "/off")).isEmpty();
        assertThat(schedules.all()).filteredOn(schedule -> schedule.name().equals(pipeline + "/off"))
                .singleElement().satisfies(schedule -> assertThat(schedule.enabled()).isFalse());
    }

    private static String uniqueName(String prefix) {
        return "it-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String schedule(String name, String cron, boolean enabled, String chart) {
        return TestDefinitions.schedule(name, cron, "UTC", enabled, "fire-once", chart);
    }

    /**
     * Publishes version 1 of {@code <pipeline>/<schedule>} {@code name} with a per-second cron, waits for two of its
     * triggers, then publishes version 2 with {@code replacement}; returns the moment the scheduler applied version 2.
     */
    private Instant replaceAfterItFired(String name, String replacement) throws Exception {
        String pipeline = name.substring(0, name.indexOf('/'));
        String schedule = name.substring(name.indexOf('/') + 1);
        publish(yaml(pipeline, 1, schedule(schedule, "*/1 * * * * *", true, "top-100")));
        awaitTriggers(name, 2);
        publish(yaml(pipeline, 2, replacement));
        return awaitVersion(name, 2);
    }

    private void publish(String yaml) throws Exception {
        TestDefinitions.publish(kafka, yaml);
    }

    /** Waits until the scheduler applies {@code version} to schedule {@code name}; returns the moment it saw that. */
    private Instant awaitVersion(String name, int version) {
        String source = name.substring(0, name.indexOf('/')) + "@" + version;
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> schedules.all().stream()
                .filter(schedule -> schedule.name().equals(name)).map(Schedule::source).toList(), List.of(source)::equals);
        // A leader tick that read the schedules before this moment can only fire instants up to its own start.
        return Instant.now();
    }

    private void awaitTriggers(String schedule, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> triggers(schedule).size() >= count);
    }

    private List<PipelineTriggered> triggers(String schedule) {
        return TriggerTopic.read(brokers, serdes, trigger -> schedule.equals(trigger.getSchedule())).stream()
                .map(ConsumerRecord::value).toList();
    }

    private List<Instant> instantsAfter(String schedule, Instant after) {
        return triggers(schedule).stream().map(PipelineTriggered::getScheduledFor)
                .filter(instant -> instant.isAfter(after)).toList();
    }

    private static JsonNode findByName(JsonNode list, String name) {
        for (JsonNode schedule : list) {
            if (schedule.get("name").asString().equals(name)) {
                return schedule;
            }
        }
        throw new AssertionError("no schedule " + name + " in " + list);
    }
}
