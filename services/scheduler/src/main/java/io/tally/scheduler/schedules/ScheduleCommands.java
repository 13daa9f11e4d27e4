package io.tally.scheduler.schedules;

import io.tally.common.topics.Topics;
import io.tally.events.ScheduleChanged;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.RunParameters;
import io.tally.scheduler.KafkaWrites;
import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.ScheduleSpec;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.definitions.DefinitionsFollower;
import io.tally.scheduler.definitions.PipelineSchedules;
import io.tally.scheduler.manual.ManualTriggers;
import io.tally.scheduler.manual.TriggerAccepted;
import io.tally.scheduler.manual.TriggerRequest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

/**
 * The run-time changes of schedules: create, enable, disable, delete and "run now". Each change is one
 * {@link ScheduleChanged} record (or a tombstone) on {@code tally.scheduler.schedules}, written with Spring's ordinary
 * template from whichever replica was asked; the answer waits until this replica has read it back, so a list right
 * after shows it, and the leader applies it within a poll wherever it runs. "Run now" is a manual trigger
 * ({@link ManualTriggers}) with the schedule's pipeline and parameters, requested by the caller. Every change is
 * audit-logged. Known gap: changes are checked against the state this replica has read, one at a time per replica,
 * so two replicas creating the same schedule at the same moment both succeed and the later record wins.
 */
@Service
public class ScheduleCommands {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.scheduler.audit");
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaTemplate<String, Object> template;
    private final DefinitionsFollower definitions;
    private final ScheduleChanges changes;
    private final Schedules schedules;
    private final ManualTriggers triggers;
    private final Clock clock;

    public ScheduleCommands(KafkaTemplate<String, Object> template, DefinitionsFollower definitions,
            ScheduleChanges changes, Schedules schedules, ManualTriggers triggers, Clock clock) {
        this.template = template;
        this.definitions = definitions;
        this.changes = changes;
        this.schedules = schedules;
        this.triggers = triggers;
        this.clock = clock;
    }

    /**
     * Creates {@code <pipeline>/<name>}, checked against the pipeline's latest published definition.
     *
     * @throws ErrorResponseException 400 naming every bad field, 409 if the schedule exists
     */
    public synchronized Schedule create(ScheduleRequest request, String caller) {
        List<ScheduleProblems.FieldProblem> problems = new ArrayList<>();
        Optional<PipelineDefinition> definition = definitions.latest(request.pipeline());
        if (definition.isEmpty()) {
            problems.add(new ScheduleProblems.FieldProblem("pipeline", "pipeline '" + request.pipeline()
                    + "' has no published definition; only a published pipeline can have schedules"));
        }
        try {
            CronExpression.parse(request.cron());
        } catch (IllegalArgumentException e) {
            problems.add(new ScheduleProblems.FieldProblem("cron", "not a 6-field Spring cron expression (second"
                    + " minute hour day-of-month month day-of-week): " + e.getMessage()));
        }
        try {
            ZoneId.of(request.zone());
        } catch (DateTimeException e) {
            problems.add(new ScheduleProblems.FieldProblem("zone", "not a time zone id such as UTC or Europe/Berlin: "
                    + e.getMessage()));
        }
        MissedPolicy missed = missedPolicy(request.missedRuns());
        if (missed == null) {
            problems.add(new ScheduleProblems.FieldProblem("missedRuns", "must be skip or fire-once"));
        }
        definition.ifPresent(pipeline -> {
            try {
                RunParameters.resolve(pipeline, request.parameters());
            } catch (RunParameters.InvalidException e) {
                e.problems().forEach(problem -> problems.add(
                        new ScheduleProblems.FieldProblem("parameters." + problem.parameter(), problem.message())));
            }
        });
        if (!problems.isEmpty()) {
            throw ScheduleProblems.invalid(problems);
        }
        String name = PipelineSchedules.name(request.pipeline(), request.name());
        if (schedules.find(name).isPresent()) {
            throw ScheduleProblems.of(HttpStatus.CONFLICT, "schedule '" + name + "' exists; enable, disable or delete"
                    + " it instead");
        }
        Instant now = clock.instant();
        ScheduleChanged record = ScheduleChanged.newBuilder()
                .setSchedule(name).setPipeline(request.pipeline()).setName(request.name())
                .setOrigin(RunTimeSchedules.API).setCron(request.cron()).setZone(ZoneId.of(request.zone()).getId())
                .setEnabled(request.enabled()).setDeleted(false).setParameters(request.parameters())
                .setMissedRuns(missed.name()).setAppliesFrom(now).setDefinitionVersion(null)
                .setUpdatedBy(caller).setUpdatedAt(now)
                .build();
        write(name, record);
        AUDIT.info("caller={} action=schedules.create schedule={} cron=\"{}\" zone={} enabled={} parameters={}", caller,
                name, record.getCron(), record.getZone(), record.getEnabled(), record.getParameters());
        return RunTimeSchedules.fromRecord(record).orElseThrow();
    }

    /**
     * Enables or disables {@code <pipeline>/<name>}; a schedule already in that state is answered as it is, and
     * nothing is written. Enabling applies from now: no instant from before fires as "missed".
     *
     * @throws ErrorResponseException 404 for a schedule that is not listed
     */
    public synchronized Schedule setEnabled(String pipeline, String name, boolean enabled, String caller) {
        String schedule = PipelineSchedules.name(pipeline, name);
        Schedule current = schedules.find(schedule).orElseThrow(() -> ScheduleProblems.notFound(schedule));
        if (current.enabled() == enabled) {
            return current;
        }
        Instant now = clock.instant();
        ScheduleChanged known = changes.records().get(schedule);
        Instant appliesFrom = enabled ? now : known != null ? known.getAppliesFrom() : now;
        ScheduleChanged record;
        if (Schedule.API.equals(current.origin()) && known != null) {
            record = ScheduleChanged.newBuilder(known).setEnabled(enabled).setAppliesFrom(appliesFrom)
                    .setUpdatedBy(caller).setUpdatedAt(now).build();
        } else {
            record = ofDeclared(current, pipeline, name, enabled, false, appliesFrom, caller, now);
        }
        write(schedule, record);
        AUDIT.info("caller={} action=schedules.{} schedule={} origin={}", caller, enabled ? "enable" : "disable",
                schedule, current.origin());
        return Schedule.API.equals(current.origin()) ? RunTimeSchedules.fromRecord(record).orElseThrow()
                : RunTimeSchedules.overDeclared(current, record);
    }

    /**
     * Deletes {@code <pipeline>/<name>}: a tombstone, or, while the pipeline's latest definition declares the
     * schedule, a record marking it deleted (a tombstone would let the declaration apply again).
     *
     * @throws ErrorResponseException 404 for a schedule that is not listed
     */
    public synchronized void delete(String pipeline, String name, String caller) {
        String schedule = PipelineSchedules.name(pipeline, name);
        Schedule current = schedules.find(schedule).orElseThrow(() -> ScheduleProblems.notFound(schedule));
        Optional<Schedule> declared = definitions.schedules().stream()
                .filter(candidate -> candidate.name().equals(schedule)).findFirst();
        if (declared.isPresent()) {
            Instant now = clock.instant();
            write(schedule, ofDeclared(declared.get(), pipeline, name, false, true, now, caller, now));
        } else {
            write(schedule, null);
        }
        AUDIT.info("caller={} action=schedules.delete schedule={} origin={} declared={}", caller, schedule,
                current.origin(), declared.isPresent());
    }

    /**
     * Runs {@code <pipeline>/<name>}'s pipeline now with the schedule's parameters, as a manual trigger requested by
     * {@code caller}; works for a disabled schedule too. The same {@code idempotencyKey} answers the same trigger.
     *
     * @throws ErrorResponseException 404 for a schedule that is not listed
     */
    public TriggerAccepted runNow(String pipeline, String name, String idempotencyKey, String caller) {
        String schedule = PipelineSchedules.name(pipeline, name);
        Schedule current = schedules.find(schedule).orElseThrow(() -> ScheduleProblems.notFound(schedule));
        TriggerAccepted accepted = triggers.trigger(new TriggerRequest(current.spec().pipeline(),
                current.spec().parameters()), idempotencyKey, caller);
        AUDIT.info("caller={} action=schedules.run schedule={} triggerId={} jobId={}", caller, schedule,
                accepted.triggerId(), accepted.jobId());
        return accepted;
    }

    private static ScheduleChanged ofDeclared(Schedule declared, String pipeline, String name, boolean enabled,
            boolean deleted, Instant appliesFrom, String caller, Instant now) {
        ScheduleSpec spec = declared.spec();
        String source = declared.source();
        Integer version = null;
        int at = source.lastIndexOf('@');
        if (at >= 0) {
            try {
                version = Integer.valueOf(source.substring(at + 1));
            } catch (NumberFormatException e) {
                version = null;
            }
        }
        return ScheduleChanged.newBuilder()
                .setSchedule(spec.name()).setPipeline(pipeline).setName(name)
                .setOrigin(RunTimeSchedules.DEFINITION).setCron(spec.cron()).setZone(spec.zone().getId())
                .setEnabled(enabled).setDeleted(deleted).setParameters(spec.parameters())
                .setMissedRuns(spec.missed().name()).setAppliesFrom(appliesFrom).setDefinitionVersion(version)
                .setUpdatedBy(caller).setUpdatedAt(now)
                .build();
    }

    /** {@code skip} / {@code fire-once} as in definition files, or the enum's own names; null for anything else. */
    static MissedPolicy missedPolicy(String text) {
        String normalised = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (MissedPolicy policy : MissedPolicy.values()) {
            if (policy.name().equals(normalised)) {
                return policy;
            }
        }
        return null;
    }

    /** Writes one change (null: a tombstone) and waits until this replica has read it back. */
    private void write(String schedule, ScheduleChanged value) {
        SendResult<String, Object> sent = KafkaWrites.send(template, Topics.SCHEDULES.name(), schedule, value,
                "The schedule change");
        changes.awaitApplied(sent.getRecordMetadata().offset(), APPLY_TIMEOUT);
    }
}
