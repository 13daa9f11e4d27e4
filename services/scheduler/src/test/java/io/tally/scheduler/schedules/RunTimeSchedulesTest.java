package io.tally.scheduler.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.events.ScheduleChanged;
import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.ScheduleSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The merge rule of run-time state over declared schedules: definitions give the initial state, a record wins. */
class RunTimeSchedulesTest {

    private static final Instant PUBLISHED = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant CHANGED = Instant.parse("2026-12-02T10:00:00Z");

    private static Schedule declared(String name, String cron, boolean enabled, String source) {
        return new Schedule(new ScheduleSpec("chart/" + name, "chart", cron, ZoneOffset.UTC, MissedPolicy.SKIP,
                Map.of("chart", "top-100")), source, enabled, PUBLISHED);
    }

    private static ScheduleChanged.Builder record(String name, String origin, boolean enabled) {
        return ScheduleChanged.newBuilder().setSchedule("chart/" + name).setPipeline("chart").setName(name)
                .setOrigin(origin).setCron("0 0 8 * * *").setZone("UTC").setEnabled(enabled).setDeleted(false)
                .setParameters(Map.of("chart", "hype-100")).setMissedRuns("FIRE_ONCE").setAppliesFrom(CHANGED)
                .setUpdatedBy("alice").setUpdatedAt(CHANGED);
    }

    @Test
    void takesADeclaredScheduleWithoutARecordAsDeclared() {
        // Given a declared schedule and no run-time record
        Schedule nightly = declared("nightly", "0 0 2 * * *", true, "chart@1");

        // When merged
        List<Schedule> merged = RunTimeSchedules.merge(List.of(nightly), List.of());

        // Then it is exactly the declared one, never changed at run time
        assertThat(merged).containsExactly(nightly);
        assertThat(merged.get(0).change()).isNull();
        assertThat(merged.get(0).origin()).isEqualTo("definition");
    }

    @Test
    void keepsAScheduleAUserDisabledDisabledWhenANewVersionDeclaresItEnabledWithAnotherCron() {
        // Given a user disabled chart/nightly (version 1), and version 2 declares it enabled on another cron
        Schedule version2 = declared("nightly", "0 30 3 * * *", true, "chart@2");
        ScheduleChanged disabled = record("nightly", RunTimeSchedules.DEFINITION, false).setCron("0 0 2 * * *").build();

        // When merged
        List<Schedule> merged = RunTimeSchedules.merge(List.of(version2), List.of(disabled));

        // Then it stays disabled, with version 2's cron and parameters, and who disabled it
        assertThat(merged).singleElement().satisfies(schedule -> {
            assertThat(schedule.enabled()).isFalse();
            assertThat(schedule.spec().cron()).isEqualTo("0 30 3 * * *");
            assertThat(schedule.spec().parameters()).containsEntry("chart", "top-100");
            assertThat(schedule.source()).isEqualTo("chart@2");
            assertThat(schedule.change()).isEqualTo(new Schedule.Change("alice", CHANGED));
        });
    }

    @Test
    void enablesADeclaredDisabledScheduleFromTheMomentItWasEnabled() {
        // Given a schedule declared disabled (as seed 001's rollout creates it) that a user enabled later
        Schedule off = declared("weekly", "0 0 2 * * SUN", false, "chart@1");
        ScheduleChanged enabled = record("weekly", RunTimeSchedules.DEFINITION, true).build();

        // When merged
        Schedule merged = RunTimeSchedules.merge(List.of(off), List.of(enabled)).get(0);

        // Then it fires, but for no instant from before it was enabled
        assertThat(merged.enabled()).isTrue();
        assertThat(merged.appliesFrom()).isEqualTo(CHANGED);
        assertThat(merged.handledUpTo(null, PUBLISHED)).isEqualTo(CHANGED);
    }

    @Test
    void hidesADeclaredScheduleAUserDeleted() {
        // Given a declared schedule with a deleted record, and another one without a record
        ScheduleChanged deleted = record("nightly", RunTimeSchedules.DEFINITION, false).setDeleted(true).build();

        // When merged
        List<Schedule> merged = RunTimeSchedules.merge(List.of(declared("nightly", "0 0 2 * * *", true, "chart@3"),
                declared("weekly", "0 0 2 * * SUN", true, "chart@3")), List.of(deleted));

        // Then only the other one is left
        assertThat(merged).extracting(Schedule::name).containsExactly("chart/weekly");
    }

    @Test
    void listsAScheduleCreatedThroughTheApiFromItsRecordAloneEnabledOrNot() {
        // Given two schedules created through the API, one of them disabled
        ScheduleChanged hourly = record("hourly", RunTimeSchedules.API, true).setCron("0 0 * * * *").build();
        ScheduleChanged paused = record("paused", RunTimeSchedules.API, false).build();

        // When merged with no declared schedule
        List<Schedule> merged = RunTimeSchedules.merge(List.of(), List.of(paused, hourly));

        // Then both are listed in name order, entirely as recorded
        assertThat(merged).extracting(Schedule::name).containsExactly("chart/hourly", "chart/paused");
        assertThat(merged.get(0)).satisfies(schedule -> {
            assertThat(schedule.source()).isEqualTo("api");
            assertThat(schedule.origin()).isEqualTo("api");
            assertThat(schedule.enabled()).isTrue();
            assertThat(schedule.spec().cron()).isEqualTo("0 0 * * * *");
            assertThat(schedule.spec().missed()).isEqualTo(MissedPolicy.FIRE_ONCE);
            assertThat(schedule.spec().parameters()).containsEntry("chart", "hype-100");
            assertThat(schedule.appliesFrom()).isEqualTo(CHANGED);
        });
        assertThat(merged.get(1).enabled()).isFalse();
    }

    @Test
    void dropsTheRecordOfADeclaredScheduleTheLatestVersionNoLongerDeclares() {
        // Given a user disabled chart/nightly, and the latest version dropped it
        ScheduleChanged disabled = record("nightly", RunTimeSchedules.DEFINITION, false).build();

        // When merged with the latest version's schedules
        List<Schedule> merged = RunTimeSchedules.merge(List.of(declared("weekly", "0 0 2 * * SUN", true, "chart@4")),
                List.of(disabled));

        // Then the dropped schedule is gone: a record of a declared schedule does not make a schedule of its own
        assertThat(merged).extracting(Schedule::name).containsExactly("chart/weekly");
    }

    @Test
    void letsAScheduleCreatedAgainThroughTheApiReplaceTheDeclaredOneOfTheSameName() {
        // Given a declared chart/nightly that a user deleted and created again with another cron
        ScheduleChanged recreated = record("nightly", RunTimeSchedules.API, true).setCron("0 15 1 * * *").build();

        // When merged
        Schedule merged = RunTimeSchedules.merge(List.of(declared("nightly", "0 0 2 * * *", true, "chart@1")),
                List.of(recreated)).get(0);

        // Then the created one is what fires
        assertThat(merged.source()).isEqualTo("api");
        assertThat(merged.spec().cron()).isEqualTo("0 15 1 * * *");
    }

    @Test
    void leavesOutARecordThatDoesNotDescribeAValidSchedule() {
        // Given an API record with a cron this release does not accept, and one with an unknown zone
        ScheduleChanged badCron = record("bad-cron", RunTimeSchedules.API, true).setCron("every day").build();
        ScheduleChanged badZone = record("bad-zone", RunTimeSchedules.API, true).setZone("Mars/Olympus").build();
        ScheduleChanged good = record("good", RunTimeSchedules.API, true).build();

        // When merged
        List<Schedule> merged = RunTimeSchedules.merge(List.of(), List.of(badCron, badZone, good));

        // Then only the readable one is listed (and fires); the others are logged
        assertThat(merged).extracting(Schedule::name).containsExactly("chart/good");
    }
}
