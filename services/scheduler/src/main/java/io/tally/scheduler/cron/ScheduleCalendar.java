package io.tally.scheduler.cron;

import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.ScheduleSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The schedule arithmetic, free of Kafka and of the wall clock: which instants of a schedule are due, given the last
 * instant handled and "now". Cron fields are read in the schedule's zone, so DST follows Spring's
 * {@code CronExpression}: a local time that does not exist that day (02:30 when clocks spring forward) does not fire
 * that day, and a local time that happens twice (02:30 when clocks fall back) fires twice, an hour apart. Known gap:
 * pick a zone-less time (UTC) or a time outside 01:00-03:00 for schedules that must fire exactly once a day.
 */
public final class ScheduleCalendar {

    /** Upper bound of on-time instants returned at once, so a very dense cron with a long grace cannot flood a tick. */
    static final int MAX_ON_TIME = 10_000;

    private ScheduleCalendar() {
    }

    /** The first instant of the schedule strictly after {@code after}, or null if the cron never matches again. */
    public static Instant next(ScheduleSpec schedule, Instant after) {
        ZonedDateTime next = schedule.cronExpression().next(after.atZone(schedule.zone()));
        return next == null ? null : next.toInstant();
    }

    /**
     * The instants to handle now, in order.
     * <ul>
     *   <li>Instants in {@code (from, now]} no older than {@code grace} are on time: each is emitted.</li>
     *   <li>If instants older than {@code grace} exist, they were missed: only the latest of them is returned, first,
     *       to emit ({@link MissedPolicy#FIRE_ONCE}) or to record as skipped ({@link MissedPolicy#SKIP}).</li>
     * </ul>
     *
     * @param from  the last instant handled (exclusive), or the leader's start for a schedule that never fired
     * @param now   the current time
     * @param grace how late an instant may be and still count as on time
     */
    public static List<DueInstant> due(ScheduleSpec schedule, Instant from, Instant now, Duration grace) {
        Instant first = next(schedule, from);
        if (first == null || first.isAfter(now)) {
            return List.of();
        }
        List<DueInstant> due = new ArrayList<>();
        Instant windowStart = now.minus(grace);
        Instant onTimeAfter = from;
        if (!first.isAfter(windowStart)) {
            Instant latestMissed = latestAtOrBefore(schedule, from, windowStart);
            due.add(new DueInstant(latestMissed, schedule.missed() == MissedPolicy.FIRE_ONCE, true));
            onTimeAfter = latestMissed;
        }
        for (Instant instant = next(schedule, onTimeAfter); instant != null && !instant.isAfter(now)
                && due.size() < MAX_ON_TIME; instant = next(schedule, instant)) {
            due.add(new DueInstant(instant, true, false));
        }
        return due;
    }

    /**
     * The latest instant in {@code (from, limit]}; the caller knows one exists. CronExpression only looks forward, so
     * this widens a window back from {@code limit} until it holds an instant, then walks that window forward: the
     * walk stays short whatever the gap since {@code from} (a replica down for a year does not step through a
     * year of seconds).
     */
    static Instant latestAtOrBefore(ScheduleSpec schedule, Instant from, Instant limit) {
        Duration step = Duration.ofSeconds(1);
        Instant lower = limit.minus(step);
        while (lower.isAfter(from)) {
            Instant candidate = next(schedule, lower);
            if (candidate != null && !candidate.isAfter(limit)) {
                break;
            }
            step = step.multipliedBy(2);
            lower = limit.minus(step);
        }
        if (!lower.isAfter(from)) {
            lower = from;
        }
        Instant latest = null;
        for (Instant instant = next(schedule, lower); instant != null && !instant.isAfter(limit);
                instant = next(schedule, instant)) {
            latest = instant;
        }
        return latest;
    }
}
