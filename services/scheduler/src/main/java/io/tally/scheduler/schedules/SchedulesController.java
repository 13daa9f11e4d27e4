package io.tally.scheduler.schedules;

import io.tally.common.security.ApiAccessRules;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.cron.ScheduleCalendar;
import io.tally.scheduler.cron.ScheduleLeader;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/schedules}: every schedule the scheduler knows, configured ones and those of the published pipeline
 * definitions, in name order, with where it comes from, whether it fires, its next fire time (from its cron, after
 * now) and its last fire time (as this replica's leader loop read it from {@code tally.scheduler.fired}). The jobs
 * API's dashboard shows this list. Known gap: only the leading replica reads the fired topic, so another replica
 * answers {@code lastFireTime: null}; with {@code tally.scheduler.enabled=false} it is always null.
 */
@RestController
@RequestMapping("/api/schedules")
class SchedulesController {

    /**
     * One schedule.
     *
     * @param name         the schedule's name: as configured, or {@code <pipeline>/<schedule>} for a declared one
     * @param pipeline     the pipeline each firing triggers
     * @param source       {@code config}, or {@code <pipeline>@<version>} of the definition that declares it
     * @param enabled      whether it fires
     * @param cron         the cron expression
     * @param zone         the zone the cron fields are read in
     * @param parameters   run parameters of each firing
     * @param nextFireTime the first instant strictly after now, or null if the cron never matches again or the schedule
     *                     is disabled
     * @param lastFireTime the last instant handled (fired, or skipped as missed), or null if this replica does not know
     */
    record ScheduleView(String name, String pipeline, String source, boolean enabled, String cron, String zone,
            Map<String, String> parameters, Instant nextFireTime, Instant lastFireTime) {
    }

    private final Schedules schedules;
    private final ObjectProvider<ScheduleLeader> leader;
    private final Clock clock;

    SchedulesController(Schedules schedules, ObjectProvider<ScheduleLeader> leader, Clock clock) {
        this.schedules = schedules;
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
        // A stated order (by name), as every list of the API has (jobs: newest first), not the sources' order.
        return schedules.all().stream()
                .map(schedule -> view(schedule, now, last.get(schedule.name())))
                .toList();
    }

    static ScheduleView view(Schedule schedule, Instant now, Instant lastFired) {
        return new ScheduleView(schedule.name(), schedule.spec().pipeline(), schedule.source(), schedule.enabled(),
                schedule.spec().cron(), schedule.spec().zone().getId(), schedule.spec().parameters(),
                schedule.enabled() ? ScheduleCalendar.next(schedule.spec(), now) : null, lastFired);
    }
}
