package io.tally.scheduler.schedules;

import io.tally.common.security.ApiAccessRules;
import io.tally.scheduler.SchedulerProperties;
import io.tally.scheduler.ScheduleSpec;
import io.tally.scheduler.cron.ScheduleCalendar;
import io.tally.scheduler.cron.ScheduleLeader;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/schedules}: each configured schedule, in name order, with its next fire time (from its cron, after now) and its last
 * fire time (as this replica's leader loop read it from {@code tally.scheduler.fired}). The jobs API's dashboard shows
 * this list. Known gap: only the leading replica reads the fired topic, so another replica answers
 * {@code lastFireTime: null}; with {@code tally.scheduler.enabled=false} it is always null.
 */
@RestController
@RequestMapping("/api/schedules")
class SchedulesController {

    /**
     * One schedule.
     *
     * @param name         the schedule's name
     * @param pipeline     the pipeline each firing triggers
     * @param cron         the cron expression
     * @param zone         the zone the cron fields are read in
     * @param parameters   run parameters of each firing
     * @param nextFireTime the first instant strictly after now, or null if the cron never matches again
     * @param lastFireTime the last instant handled (fired, or skipped as missed), or null if this replica does not know
     */
    record ScheduleView(String name, String pipeline, String cron, String zone, Map<String, String> parameters,
            Instant nextFireTime, Instant lastFireTime) {
    }

    private final SchedulerProperties properties;
    private final ObjectProvider<ScheduleLeader> leader;
    private final Clock clock;

    SchedulesController(SchedulerProperties properties, ObjectProvider<ScheduleLeader> leader, Clock clock) {
        this.properties = properties;
        this.leader = leader;
        this.clock = clock;
    }

    /**
     * The schedule list stays readable without credentials, as before the shared security: the jobs API's dashboard
     * reads it server-side, and it reveals only cron expressions. {@code POST /api/triggers} needs a caller.
     */
    @Bean
    static ApiAccessRules publicScheduleList() {
        return (requests, properties) -> requests.requestMatchers(HttpMethod.GET, "/api/schedules").permitAll();
    }

    @GetMapping
    List<ScheduleView> schedules() {
        Instant now = clock.instant();
        ScheduleLeader current = leader.getIfAvailable();
        Map<String, Instant> last = current == null ? Map.of() : current.lastFired();
        // A stated order, as every list of the API has (jobs: newest first), not the configuration file's.
        return properties.schedules().stream()
                .sorted(Comparator.comparing(ScheduleSpec::name))
                .map(schedule -> view(schedule, now, last.get(schedule.name())))
                .toList();
    }

    static ScheduleView view(ScheduleSpec schedule, Instant now, Instant lastFired) {
        return new ScheduleView(schedule.name(), schedule.pipeline(), schedule.cron(), schedule.zone().getId(),
                schedule.parameters(), ScheduleCalendar.next(schedule, now), lastFired);
    }
}
