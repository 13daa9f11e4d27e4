package io.tally.scheduler.schedules;

import io.tally.events.ScheduleChanged;
import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.ScheduleSpec;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule that merges the run-time state ({@link ScheduleChanged} records of {@code tally.scheduler.schedules}) over
 * the schedules the latest pipeline definitions declare. Definitions give the initial state; once a schedule was
 * changed at run time, its record wins:
 * <ul>
 *   <li>a declared schedule with no record is taken as declared;</li>
 *   <li>a record of origin {@value #DEFINITION} decides whether a declared schedule is enabled (or deleted: then it is
 *       neither listed nor fired), whatever later versions say about {@code enabled}; its cron, zone, parameters and
 *       missed-run policy still follow the latest version, so a developer's fix to the cron is not lost;</li>
 *   <li>a record of origin {@value #API} is a schedule of its own, entirely described by the record; it replaces a
 *       declared schedule of the same name (one a user deleted and created again);</li>
 *   <li>a record of origin {@value #DEFINITION} whose schedule the latest version no longer declares is ignored (the
 *       schedule is gone); should a later version declare it again, the record applies again.</li>
 * </ul>
 * A record that cannot be read as a schedule (a cron or zone this release does not accept) is logged and left out.
 */
public final class RunTimeSchedules {

    /** Origin of a record that changes a schedule a definition declares. */
    public static final String DEFINITION = "definition";
    /** Origin of a record that is a schedule created through the API. */
    public static final String API = Schedule.API;

    private static final Logger LOG = LoggerFactory.getLogger(RunTimeSchedules.class);
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private RunTimeSchedules() {
    }

    /** The effective schedules: {@code declared} with {@code records} merged over them, in name order. */
    public static List<Schedule> merge(List<Schedule> declared, Collection<ScheduleChanged> records) {
        Map<String, ScheduleChanged> byName = new HashMap<>();
        records.forEach(record -> byName.put(record.getSchedule(), record));
        List<Schedule> merged = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Schedule schedule : declared) {
            seen.add(schedule.name());
            ScheduleChanged record = byName.get(schedule.name());
            if (record == null) {
                merged.add(schedule);
            } else if (API.equals(record.getOrigin())) {
                fromRecord(record).ifPresent(merged::add);
            } else if (!record.getDeleted()) {
                merged.add(overDeclared(schedule, record));
            }
        }
        for (ScheduleChanged record : byName.values()) {
            if (API.equals(record.getOrigin()) && !seen.contains(record.getSchedule())) {
                fromRecord(record).ifPresent(merged::add);
            }
        }
        merged.sort(Comparator.comparing(Schedule::name));
        return List.copyOf(merged);
    }

    /** A declared schedule with its run-time enabled state; enabling applies from the moment it was enabled. */
    static Schedule overDeclared(Schedule declared, ScheduleChanged record) {
        Instant appliesFrom = declared.appliesFrom();
        if (record.getEnabled() && (appliesFrom == null || record.getAppliesFrom().isAfter(appliesFrom))) {
            appliesFrom = record.getAppliesFrom();
        }
        return new Schedule(declared.spec(), declared.source(), record.getEnabled(), appliesFrom, change(record));
    }

    /** A schedule created through the API, or empty (logged once) if the record does not describe a valid one. */
    static Optional<Schedule> fromRecord(ScheduleChanged record) {
        if (record.getDeleted()) {
            return Optional.empty();
        }
        try {
            ScheduleSpec spec = new ScheduleSpec(record.getSchedule(), record.getPipeline(), record.getCron(),
                    ZoneId.of(record.getZone()), MissedPolicy.valueOf(record.getMissedRuns()), record.getParameters());
            return Optional.of(new Schedule(spec, API, record.getEnabled(), record.getAppliesFrom(),
                    change(record)));
        } catch (RuntimeException e) {
            if (REPORTED.add(record.getSchedule() + "@" + record.getUpdatedAt())) {
                LOG.warn("Run-time schedule {} cannot be read and does not fire: {}", record.getSchedule(), e.toString());
            }
            return Optional.empty();
        }
    }

    private static Schedule.Change change(ScheduleChanged record) {
        return new Schedule.Change(record.getUpdatedBy(), record.getUpdatedAt());
    }
}
