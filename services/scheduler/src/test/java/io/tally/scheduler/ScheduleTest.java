package io.tally.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the leader starts looking for due instants of a schedule, and how the two sources are listed together. */
class ScheduleTest {

    private static final Instant STARTED = Instant.parse("2026-11-23T06:00:00Z");
    private static final Instant LAST_FIRED = Instant.parse("2026-11-23T07:00:00Z");
    private static final Instant PUBLISHED = Instant.parse("2026-11-23T07:30:00Z");

    private static final ScheduleSpec HOURLY = new ScheduleSpec("hourly", "p", "0 0 * * * *", ZoneOffset.UTC,
            MissedPolicy.FIRE_ONCE, Map.of());

    @Test
    void continuesAConfiguredScheduleFromItsLastInstantOrFromTheReplicasStart() {
        // Given a configured schedule
        Schedule configured = Schedule.configured(HOURLY);

        // Then it goes on after its last instant, and a schedule that never fired starts at the replica's start
        assertThat(configured.handledUpTo(LAST_FIRED, STARTED)).isEqualTo(LAST_FIRED);
        assertThat(configured.handledUpTo(null, STARTED)).isEqualTo(STARTED);
        assertThat(configured.source()).isEqualTo("config");
    }

    @Test
    void neverLooksBeforeTheInstantADeclaredSchedulesTimingWasPublished() {
        // Given a declared schedule whose current cron was published after its last instant and the replica's start
        Schedule declared = new Schedule(HOURLY, "p@2", true, PUBLISHED);

        // Then instants before the publication are not due, missed or not
        assertThat(declared.handledUpTo(LAST_FIRED, STARTED)).isEqualTo(PUBLISHED);
        assertThat(declared.handledUpTo(null, STARTED)).isEqualTo(PUBLISHED);
        // And a later last instant still wins
        Instant later = PUBLISHED.plusSeconds(3600);
        assertThat(declared.handledUpTo(later, STARTED)).isEqualTo(later);
    }

    @Test
    void listsConfiguredAndDeclaredSchedulesTogetherInNameOrderAndFiresOnlyEnabledOnes() {
        // Given a configured schedule and two declared ones, one of them disabled
        Schedule on = new Schedule(new ScheduleSpec("chart/weekly", "chart", "0 0 8 * * MON", ZoneOffset.UTC,
                MissedPolicy.SKIP, Map.of()), "chart@1", true, PUBLISHED);
        Schedule off = new Schedule(new ScheduleSpec("chart/daily", "chart", "0 0 8 * * *", ZoneOffset.UTC,
                MissedPolicy.SKIP, Map.of()), "chart@1", false, PUBLISHED);
        Schedules schedules = new Schedules(List.of(HOURLY), () -> List.of(on, off));

        // Then all three are listed by name, and the disabled one does not fire
        assertThat(schedules.all()).extracting(Schedule::name).containsExactly("chart/daily", "chart/weekly", "hourly");
        assertThat(schedules.enabled()).extracting(Schedule::name).containsExactly("chart/weekly", "hourly");
    }
}
