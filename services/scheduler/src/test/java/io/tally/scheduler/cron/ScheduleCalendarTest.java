package io.tally.scheduler.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.ScheduleSpec;
import io.tally.scheduler.Triggers;
import io.tally.events.PipelineTriggered;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schedule arithmetic on a fixed clock: due instants, the missed-instant policies, zones and DST. */
class ScheduleCalendarTest {

    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static ScheduleSpec schedule(String cron, ZoneId zone, MissedPolicy missed) {
        return new ScheduleSpec("s", "beatport-chart", cron, zone, missed, Map.of("chart", "top-100"));
    }

    @Test
    void findsNothingDueBeforeTheNextInstant() {
        // Given the weekly chart schedule, last fired on Sunday 2026-11-22 02:00 UTC
        ScheduleSpec weekly = schedule("0 0 2 * * SUN", UTC, MissedPolicy.FIRE_ONCE);
        Clock clock = Clock.fixed(Instant.parse("2026-11-28T23:59:59Z"), UTC);
        // When it is checked just before the next Sunday
        List<DueInstant> due = ScheduleCalendar.due(weekly, Instant.parse("2026-11-22T02:00:00Z"), clock.instant(), GRACE);
        // Then nothing is due, and the next instant is the following Sunday 02:00
        assertThat(due).isEmpty();
        assertThat(ScheduleCalendar.next(weekly, clock.instant())).isEqualTo(Instant.parse("2026-11-29T02:00:00Z"));
    }

    @Test
    void firesTheInstantThatJustBecameDueOnce() {
        // Given the weekly schedule checked one second after its instant
        ScheduleSpec weekly = schedule("0 0 2 * * SUN", UTC, MissedPolicy.SKIP);
        Instant now = Instant.parse("2026-11-29T02:00:01Z");
        // When the due instants are computed from the previous firing, and again after this one fired
        List<DueInstant> first = ScheduleCalendar.due(weekly, Instant.parse("2026-11-22T02:00:00Z"), now, GRACE);
        List<DueInstant> again = ScheduleCalendar.due(weekly, Instant.parse("2026-11-29T02:00:00Z"), now, GRACE);
        // Then the instant is emitted on time exactly once, and not again
        assertThat(first).containsExactly(new DueInstant(Instant.parse("2026-11-29T02:00:00Z"), true, false));
        assertThat(again).isEmpty();
    }

    @Test
    void firesEveryInstantWithinTheGracePeriodInOrder() {
        // Given a per-second schedule whose leader paused for 5 s (a leadership handover)
        ScheduleSpec fast = schedule("*/1 * * * * *", UTC, MissedPolicy.FIRE_ONCE);
        Instant last = Instant.parse("2026-11-23T10:00:00Z");
        // When it is checked 5 s later
        List<DueInstant> due = ScheduleCalendar.due(fast, last, last.plusSeconds(5), GRACE);
        // Then all five instants fire, consecutive, none counted as missed
        assertThat(due).extracting(DueInstant::instant).containsExactly(last.plusSeconds(1), last.plusSeconds(2),
                last.plusSeconds(3), last.plusSeconds(4), last.plusSeconds(5));
        assertThat(due).allSatisfy(d -> assertThat(d.emit() && !d.missed()).isTrue());
    }

    @Test
    void firesOnceForTheLatestMissedInstantWithFireOnce() {
        // Given a daily 08:00 schedule whose last firing was 3 days ago and a leader starting at 09:30
        ScheduleSpec daily = schedule("0 0 8 * * *", UTC, MissedPolicy.FIRE_ONCE);
        // When due instants are computed
        List<DueInstant> due = ScheduleCalendar.due(daily, Instant.parse("2026-11-20T08:00:00Z"),
                Instant.parse("2026-11-23T09:30:00Z"), GRACE);
        // Then only the latest missed instant fires, marked as missed
        assertThat(due).containsExactly(new DueInstant(Instant.parse("2026-11-23T08:00:00Z"), true, true));
    }

    @Test
    void recordsTheLatestMissedInstantWithoutFiringWithSkip() {
        // Given the same outage with the SKIP policy
        ScheduleSpec daily = schedule("0 0 8 * * *", UTC, MissedPolicy.SKIP);
        // When due instants are computed
        List<DueInstant> due = ScheduleCalendar.due(daily, Instant.parse("2026-11-20T08:00:00Z"),
                Instant.parse("2026-11-23T09:30:00Z"), GRACE);
        // Then the latest missed instant is recorded, with nothing to emit
        assertThat(due).containsExactly(new DueInstant(Instant.parse("2026-11-23T08:00:00Z"), false, true));
    }

    @Test
    void handlesMissedInstantsThenTheOnTimeOnes() {
        // Given a per-second schedule last fired 10 minutes ago, checked with a 1-minute grace
        ScheduleSpec fast = schedule("*/1 * * * * *", UTC, MissedPolicy.SKIP);
        Instant now = Instant.parse("2026-11-23T10:10:00Z");
        // When due instants are computed
        List<DueInstant> due = ScheduleCalendar.due(fast, now.minus(Duration.ofMinutes(10)), now, GRACE);
        // Then the last instant outside the grace window is skipped, then the 60 on-time instants fire
        assertThat(due.get(0)).isEqualTo(new DueInstant(now.minus(GRACE), false, true));
        assertThat(due.subList(1, due.size())).hasSize(60).allSatisfy(d -> assertThat(d.missed()).isFalse());
        assertThat(due.get(1).instant()).isEqualTo(now.minus(GRACE).plusSeconds(1));
        assertThat(due.get(due.size() - 1).instant()).isEqualTo(now);
    }

    @Test
    void findsTheLatestMissedInstantAfterAYearLongOutageWithoutWalkingEverySecond() {
        // Given a per-second schedule last fired a year ago
        ScheduleSpec fast = schedule("*/1 * * * * *", UTC, MissedPolicy.FIRE_ONCE);
        Instant now = Instant.parse("2026-11-23T10:00:00.500Z");
        // When due instants are computed with no grace
        List<DueInstant> due = ScheduleCalendar.due(fast, now.minus(Duration.ofDays(365)), now, Duration.ZERO);
        // Then the latest whole second before now fires once
        assertThat(due).containsExactly(new DueInstant(Instant.parse("2026-11-23T10:00:00Z"), true, true));
    }

    @Test
    void readsCronFieldsInTheScheduleZone() {
        // Given 08:00 in Berlin (UTC+1 in November)
        ScheduleSpec berlin = schedule("0 0 8 * * *", BERLIN, MissedPolicy.FIRE_ONCE);
        // When the next instant after midnight UTC is computed
        Instant next = ScheduleCalendar.next(berlin, Instant.parse("2026-11-23T00:00:00Z"));
        // Then it is 07:00 UTC
        assertThat(next).isEqualTo(Instant.parse("2026-11-23T07:00:00Z"));
    }

    @Test
    void skipsALocalTimeThatDoesNotExistOnTheSpringForwardDay() {
        // Given 02:30 Berlin, a time that does not exist on 2026-03-29 (02:00 -> 03:00)
        ScheduleSpec early = schedule("0 30 2 * * *", BERLIN, MissedPolicy.FIRE_ONCE);
        // When the next instant after the 28th's firing is computed
        Instant next = ScheduleCalendar.next(early, Instant.parse("2026-03-28T01:30:00Z"));
        // Then the 29th has no firing; the next is 02:30 CEST on the 30th
        assertThat(next).isEqualTo(Instant.parse("2026-03-30T00:30:00Z"));
    }

    @Test
    void firesTwiceForALocalTimeThatHappensTwiceOnTheFallBackDay() {
        // Given 02:30 Berlin, which happens twice on 2026-10-25 (03:00 CEST -> 02:00 CET)
        ScheduleSpec early = schedule("0 30 2 * * *", BERLIN, MissedPolicy.FIRE_ONCE);
        // When the instants of that day are computed
        Instant first = ScheduleCalendar.next(early, Instant.parse("2026-10-24T12:00:00Z"));
        Instant second = ScheduleCalendar.next(early, first);
        // Then both occurrences are distinct instants an hour apart, so their trigger ids differ too
        assertThat(first).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(second).isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));
        assertThat(Triggers.scheduledTriggerId("s", first)).isNotEqualTo(Triggers.scheduledTriggerId("s", second));
    }

    @Test
    void buildsDeterministicTriggerAndJobIdsFromTheInstant() {
        // Given one schedule instant, triggered twice (a retry, or two leaders)
        ScheduleSpec weekly = schedule("0 0 2 * * SUN", UTC, MissedPolicy.FIRE_ONCE);
        Instant instant = Instant.parse("2026-11-29T02:00:00Z");
        // When the trigger is built at different times
        PipelineTriggered a = Triggers.scheduled(weekly, instant, instant.plusSeconds(1));
        PipelineTriggered b = Triggers.scheduled(weekly, instant, instant.plusSeconds(30));
        // Then the ids are equal and readable
        assertThat(a.getTriggerId()).isEqualTo("schedule:s@2026-11-29T02:00:00Z").isEqualTo(b.getTriggerId());
        assertThat(a.getJobId()).isEqualTo(b.getJobId()).startsWith("beatport-chart-20261129-0200-");
        assertThat(a.getScheduledFor()).isEqualTo(instant);
        assertThat(a.getParameters()).containsEntry("chart", "top-100");
    }

    @Test
    void rejectsAnInvalidCronExpressionWhenTheConfigurationIsBound() {
        // When a schedule is built with a 5-field (Unix) cron
        // Then it fails with the parser's reason
        assertThatThrownBy(() -> schedule("0 2 * * SUN", UTC, MissedPolicy.SKIP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 fields");
    }
}
