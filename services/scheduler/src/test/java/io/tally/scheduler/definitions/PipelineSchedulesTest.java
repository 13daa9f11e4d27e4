package io.tally.scheduler.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static io.tally.scheduler.definitions.TestDefinitions.schedule;
import static org.assertj.core.api.Assertions.tuple;

import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineLoader;
import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.Schedule;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the records of the definitions topic become schedules: latest version, identity, policy, parameters, timing. */
class PipelineSchedulesTest {

    private static final Instant V1_AT = Instant.parse("2026-11-01T10:00:00Z");
    private static final Instant V2_AT = Instant.parse("2026-11-10T10:00:00Z");
    private static final Instant V3_AT = Instant.parse("2026-11-20T10:00:00Z");

    private final PipelineSchedules schedules = new PipelineSchedules();

    @Test
    void firesTheLatestVersionsSchedulesNamedPipelineSlashScheduleWithTheirParametersAndSource() {
        // Given two versions of a pipeline, the second with another schedule and other parameters
        publish("chart", 1, V1_AT, schedule("weekly", "0 0 8 * * MON", "Europe/Berlin", null, "fire-once", "top-100"));
        publish("chart", 2, V2_AT, schedule("daily", "0 0 6 * * *", "UTC", null, "fire-once", "hype-100"));

        // When the schedules are computed
        assertThat(schedules.refresh()).isTrue();

        // Then only the latest version's schedule is there, as <pipeline>/<schedule> with its source and parameters
        assertThat(schedules.current()).singleElement().satisfies(schedule -> {
            assertThat(schedule.name()).isEqualTo("chart/daily");
            assertThat(schedule.spec().pipeline()).isEqualTo("chart");
            assertThat(schedule.spec().cron()).isEqualTo("0 0 6 * * *");
            assertThat(schedule.spec().zone()).isEqualTo(ZoneId.of("UTC"));
            assertThat(schedule.spec().parameters()).isEqualTo(Map.of("chart", "hype-100"));
            assertThat(schedule.source()).isEqualTo("chart@2");
            assertThat(schedule.enabled()).isTrue();
        });
    }

    @Test
    void mapsEachMissedRunPolicyToTheSchedulersPolicy() {
        // Given a schedule of each missed-run policy, and one that leaves it to the default (skip)
        publish("policies", 1, V1_AT,
                schedule("once", "0 0 8 * * *", "UTC", null, "fire-once", "top-100"),
                schedule("skipped", "0 0 8 * * *", "UTC", null, "skip", "top-100"),
                schedule("unsaid", "0 0 8 * * *", "UTC", null, null, "top-100"));

        // When the schedules are computed
        schedules.refresh();

        // Then fire-once fires once, and skip (stated or by default) skips
        assertThat(schedules.current()).extracting(Schedule::name, s -> s.spec().missed()).containsExactly(
                tuple("policies/once", MissedPolicy.FIRE_ONCE),
                tuple("policies/skipped", MissedPolicy.SKIP),
                tuple("policies/unsaid", MissedPolicy.SKIP));
    }

    @Test
    void keepsADisabledScheduleListedButNotEnabled() {
        // Given a definition with a disabled schedule
        publish("paused", 1, V1_AT, schedule("nightly", "0 0 2 * * *", "UTC", false, null, "top-100"));

        // When the schedules are computed
        schedules.refresh();

        // Then it is known, and disabled
        assertThat(schedules.current()).singleElement().satisfies(schedule -> {
            assertThat(schedule.name()).isEqualTo("paused/nightly");
            assertThat(schedule.enabled()).isFalse();
        });
    }

    @Test
    void appliesAChangedCronFromTheVersionThatChangedItAndAnUnchangedOneFromTheFirst() {
        // Given a schedule whose cron changes in version 2, and one that keeps its cron but changes its parameters
        publish("timing", 1, V1_AT,
                schedule("moved", "0 0 8 * * MON", "UTC", null, "fire-once", "top-100"),
                schedule("kept", "0 0 9 * * *", "UTC", null, "fire-once", "top-100"));
        publish("timing", 2, V2_AT,
                schedule("moved", "0 0 9 * * TUE", "UTC", null, "fire-once", "top-100"),
                schedule("kept", "0 0 9 * * *", "UTC", null, "fire-once", "hype-100"));

        // When the schedules are computed
        schedules.refresh();

        // Then the moved one applies from version 2's publication (no "missed" instant of the new cron before it),
        // and the kept one still from version 1's, so instants missed across version 2 follow its policy
        assertThat(schedules.current()).extracting(Schedule::name, Schedule::appliesFrom).containsExactly(
                tuple("timing/kept", V1_AT),
                tuple("timing/moved", V2_AT));
    }

    @Test
    void appliesAReEnabledScheduleFromTheVersionThatEnabledItAgain() {
        // Given a schedule enabled, then disabled, then enabled again on the same cron
        publish("toggled", 1, V1_AT, schedule("daily", "0 0 8 * * *", "UTC", true, null, "top-100"));
        publish("toggled", 2, V2_AT, schedule("daily", "0 0 8 * * *", "UTC", false, null, "top-100"));
        publish("toggled", 3, V3_AT, schedule("daily", "0 0 8 * * *", "UTC", true, null, "top-100"));

        // When the schedules are computed
        schedules.refresh();

        // Then it applies from version 3: the days it was disabled are not missed runs
        assertThat(schedules.current()).singleElement().satisfies(schedule -> {
            assertThat(schedule.enabled()).isTrue();
            assertThat(schedule.appliesFrom()).isEqualTo(V3_AT);
        });
    }

    @Test
    void fallsBackToThePreviousVersionWhenTheLatestIsRemovedOrDoesNotParse() {
        // Given version 1, a version 2 removed by a tombstone, and a version 3 this release cannot parse
        publish("fallback", 1, V1_AT, schedule("weekly", "0 0 8 * * MON", "UTC", null, null, "top-100"));
        publish("fallback", 2, V2_AT, schedule("daily", "0 0 8 * * *", "UTC", null, null, "top-100"));
        schedules.apply(PublishedDefinitions.key("fallback", 2), null);
        schedules.apply(PublishedDefinitions.key("fallback", 3), PipelineDefinitionPublished.newBuilder()
                .setName("fallback").setVersion(3).setYaml("name: fallback\nversion: 3\nstages: [{id: only}]\n")
                .setSha256("unparsable").setFile("fallback.yml").setPublishedAt(V3_AT).build());

        // When the schedules are computed
        schedules.refresh();

        // Then version 1's schedule is the one that fires
        assertThat(schedules.current()).extracting(Schedule::name, Schedule::source)
                .containsExactly(tuple("fallback/weekly", "fallback@1"));
    }

    @Test
    void reportsAChangeOnlyWhenTheSchedulesChange() {
        // Given a published version whose schedules were computed
        publish("stable", 1, V1_AT, schedule("weekly", "0 0 8 * * MON", "UTC", null, null, "top-100"));
        schedules.refresh();
        List<Schedule> before = schedules.current();

        // When the same record is read again (a compacted topic read anew), and then a new version
        publish("stable", 1, V1_AT, schedule("weekly", "0 0 8 * * MON", "UTC", null, null, "top-100"));
        boolean again = schedules.refresh();
        publish("stable", 2, V2_AT, schedule("weekly", "0 0 9 * * MON", "UTC", null, null, "top-100"));
        boolean changed = schedules.refresh();

        // Then only the new version is a change
        assertThat(again).isFalse();
        assertThat(changed).isTrue();
        assertThat(schedules.current()).isNotEqualTo(before);
    }

    private void publish(String name, int version, Instant at, String... schedules) {
        PipelineDefinitionPublished record = PublishedDefinitions.of(
                PipelineLoader.load(name + ".yml", TestDefinitions.yaml(name, version, schedules)), at);
        this.schedules.apply(PublishedDefinitions.key(name, version), record);
    }
}
