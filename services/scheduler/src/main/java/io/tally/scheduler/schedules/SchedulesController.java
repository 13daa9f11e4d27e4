package io.tally.scheduler.schedules;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tally.common.security.ApiAccessRules;
import io.tally.common.security.ApiSecurityProperties;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.cron.ScheduleCalendar;
import io.tally.scheduler.cron.ScheduleLeader;
import io.tally.scheduler.definitions.PipelineSchedules;
import io.tally.scheduler.manual.TriggerAccepted;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/schedules}: every schedule the scheduler knows (configured, declared by the published pipeline
 * definitions, created at run time) in name order, with where it comes from, whether it fires, its next fire time
 * (from its cron, after now) and its last fire time (as this replica's leader loop read it from
 * {@code tally.scheduler.fired}); and the run-time changes ({@link ScheduleCommands}): create, enable, disable, delete
 * and run now, for {@code <pipeline>/<name>} schedules. Reads need no credentials; writes need USER (or ADMIN), delete
 * needs ADMIN. Known gap: only the leading replica reads the fired topic, so another replica answers
 * {@code lastFireTime: null}; configured schedules ({@code tally.scheduler.schedules}) cannot be changed at run time.
 */
@RestController
@Validated
@RequestMapping("/api/schedules")
class SchedulesController {

    /**
     * One schedule.
     *
     * @param name         the schedule's name: as configured, or {@code <pipeline>/<schedule>}
     * @param pipeline     the pipeline each firing triggers
     * @param source       {@code config}, {@code <pipeline>@<version>} of the definition that declares it, or
     *                     {@code api} for one created at run time
     * @param origin       {@code config}, {@code definition} or {@code api}
     * @param enabled      whether it fires
     * @param cron         the cron expression
     * @param zone         the zone the cron fields are read in
     * @param missedRuns   {@code SKIP} or {@code FIRE_ONCE}
     * @param parameters   run parameters of each firing
     * @param nextFireTime the first instant strictly after now, or null if the cron never matches again or the schedule
     *                     is disabled
     * @param lastFireTime the last instant handled (fired, or skipped as missed), or null if this replica does not know
     * @param updatedBy    who last changed it at run time, or null if nobody did
     * @param updatedAt    when it was last changed at run time, or null
     */
    record ScheduleView(String name, String pipeline, String source, String origin, boolean enabled, String cron,
            String zone, String missedRuns, Map<String, String> parameters, Instant nextFireTime, Instant lastFireTime,
            String updatedBy, Instant updatedAt) {
    }

    private final Schedules schedules;
    private final ScheduleCommands commands;
    private final ObjectProvider<ScheduleLeader> leader;
    private final Clock clock;

    SchedulesController(Schedules schedules, ScheduleCommands commands, ObjectProvider<ScheduleLeader> leader,
            Clock clock) {
        this.schedules = schedules;
        this.commands = commands;
        this.leader = leader;
        this.clock = clock;
    }

    /**
     * The schedule list stays readable without credentials, as before the shared security: the jobs API's dashboard
     * reads it server-side, and it reveals only cron expressions and parameters. Changes need USER or ADMIN, a delete
     * ADMIN; the OpenAPI document is public, as the jobs API's.
     */
    @Bean
    static ApiAccessRules scheduleAccessRules() {
        String user = ApiSecurityProperties.Role.USER.name();
        String admin = ApiSecurityProperties.Role.ADMIN.name();
        return (requests, properties) -> {
            requests.requestMatchers("/v3/api-docs", "/v3/api-docs/**").permitAll();
            requests.requestMatchers(HttpMethod.GET, "/api/schedules", "/api/schedules/*/*").permitAll();
            requests.requestMatchers(HttpMethod.DELETE, "/api/schedules/**").hasRole(admin);
            requests.requestMatchers(HttpMethod.POST, "/api/schedules", "/api/schedules/**").hasAnyRole(user, admin);
        };
    }

    @Operation(summary = "List every schedule, in name order",
            description = "Configured, declared by the published definitions and created at run time; with origin,"
                    + " enabled, next fire time, and the last fire time this replica's leader loop knows.")
    @GetMapping
    List<ScheduleView> schedules() {
        Instant now = clock.instant();
        Map<String, Instant> last = lastFired();
        // A stated order (by name), as every list of the API has (jobs: newest first), not the sources' order.
        return schedules.all().stream()
                .map(schedule -> view(schedule, now, last.get(schedule.name())))
                .toList();
    }

    @Operation(summary = "One schedule", responses = {@ApiResponse(responseCode = "200"),
            @ApiResponse(responseCode = "404", description = "no such schedule")})
    @GetMapping("/{pipeline}/{name}")
    ScheduleView schedule(@PathVariable String pipeline, @PathVariable String name) {
        String schedule = PipelineSchedules.name(pipeline, name);
        return view(schedules.find(schedule).orElseThrow(() -> ScheduleProblems.notFound(schedule)));
    }

    @Operation(summary = "Create a schedule for a published pipeline (USER)",
            description = "The cron, zone and missed-run policy are checked, the parameters against the pipeline's"
                    + " latest definition: 400 naming each bad field in `errors`. 409 if `<pipeline>/<name>` exists.",
            responses = {@ApiResponse(responseCode = "201"), @ApiResponse(responseCode = "400"),
                    @ApiResponse(responseCode = "409")})
    @PostMapping
    ResponseEntity<ScheduleView> create(@Valid @RequestBody ScheduleRequest request, Principal caller) {
        Schedule created = commands.create(request, caller.getName());
        return ResponseEntity.created(URI.create("/api/schedules/" + created.name())).body(view(created));
    }

    @Operation(summary = "Enable a schedule (USER); it fires from now on, no instant from before",
            responses = {@ApiResponse(responseCode = "200"), @ApiResponse(responseCode = "404")})
    @PostMapping("/{pipeline}/{name}/enable")
    ScheduleView enable(@PathVariable String pipeline, @PathVariable String name, Principal caller) {
        return view(commands.setEnabled(pipeline, name, true, caller.getName()));
    }

    @Operation(summary = "Disable a schedule (USER); a later definition version does not enable it again",
            responses = {@ApiResponse(responseCode = "200"), @ApiResponse(responseCode = "404")})
    @PostMapping("/{pipeline}/{name}/disable")
    ScheduleView disable(@PathVariable String pipeline, @PathVariable String name, Principal caller) {
        return view(commands.setEnabled(pipeline, name, false, caller.getName()));
    }

    @Operation(summary = "Delete a schedule (ADMIN)",
            description = "A schedule the latest definition declares stays deleted until it is created again.",
            responses = {@ApiResponse(responseCode = "204"), @ApiResponse(responseCode = "404")})
    @DeleteMapping("/{pipeline}/{name}")
    ResponseEntity<Void> delete(@PathVariable String pipeline, @PathVariable String name, Principal caller) {
        commands.delete(pipeline, name, caller.getName());
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Run a schedule's pipeline now (USER), with its parameters, as a manual trigger",
            description = "Recorded as manual: trigger id `manual:<Idempotency-Key or UUID>`, requestedBy the caller."
                    + " Works for a disabled schedule too.",
            responses = {@ApiResponse(responseCode = "202"), @ApiResponse(responseCode = "404"),
                    @ApiResponse(responseCode = "409", description = "Idempotency-Key reused with another schedule")})
    @PostMapping("/{pipeline}/{name}/run")
    ResponseEntity<TriggerAccepted> run(@PathVariable String pipeline, @PathVariable String name, Principal caller,
            @Parameter(description = "client-chosen key; retries with the same key start one run")
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Pattern(regexp = "[\\x21-\\x7e]{1,200}", message = "must be 1 to 200 visible ASCII characters")
            String idempotencyKey) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(commands.runNow(pipeline, name, idempotencyKey, caller.getName()));
    }

    private ScheduleView view(Schedule schedule) {
        return view(schedule, clock.instant(), lastFired().get(schedule.name()));
    }

    private Map<String, Instant> lastFired() {
        ScheduleLeader current = leader.getIfAvailable();
        return current == null ? Map.of() : current.lastFired();
    }

    static ScheduleView view(Schedule schedule, Instant now, Instant lastFired) {
        Schedule.Change change = schedule.change();
        return new ScheduleView(schedule.name(), schedule.spec().pipeline(), schedule.source(), schedule.origin(),
                schedule.enabled(), schedule.spec().cron(), schedule.spec().zone().getId(),
                schedule.spec().missed().name(), schedule.spec().parameters(),
                schedule.enabled() ? ScheduleCalendar.next(schedule.spec(), now) : null, lastFired,
                change == null ? null : change.by(), change == null ? null : change.at());
    }
}
