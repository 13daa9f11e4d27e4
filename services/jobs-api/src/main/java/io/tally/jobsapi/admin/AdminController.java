package io.tally.jobsapi.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.tally.common.artifacts.ArtifactProperties;
import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.jobs.JobStates;
import io.tally.common.topics.Topics;
import io.tally.events.AdminActionAudited;
import io.tally.events.JobPurgeRequested;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobsapi.view.JobView;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Admin endpoints (role ADMIN, see the security configuration). Every call is logged to {@code io.tally.jobsapi.audit}
 * with the caller, action and parameters; the destructive ones (deep cleanup, factory reset) also write an
 * {@code AdminActionAudited} record to {@code tally.admin.audit} in the same transaction as their tombstones and purge
 * requests (ADR 0020). Known gap: a plain cleanup only removes the API's view; the tracker keeps an ended job's state
 * until its own retention (deep cleanup purges it).
 */
@RestController
@RequestMapping("/api/admin")
public class AdminController {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final JobView view;
    private final KafkaStats stats;
    private final KafkaTemplate<String, Object> kafka;
    private final MeterRegistry meters;
    private final ApiProperties properties;
    private final ArtifactStore artifacts;
    private final ArtifactProperties artifactProperties;
    private final JobArtifacts jobArtifacts;
    private final ResetTokens tokens;
    private final ObjectProvider<BuildProperties> build;
    private final Environment environment;
    private final Clock clock = Clock.systemUTC();

    public AdminController(JobView view, KafkaStats stats, KafkaTemplate<String, Object> kafka, MeterRegistry meters,
            ApiProperties properties, ArtifactStore artifacts, ArtifactProperties artifactProperties,
            JobArtifacts jobArtifacts, ResetTokens tokens, ObjectProvider<BuildProperties> build,
            Environment environment) {
        this.view = view;
        this.stats = stats;
        this.kafka = kafka;
        this.meters = meters;
        this.properties = properties;
        this.artifacts = artifacts;
        this.artifactProperties = artifactProperties;
        this.jobArtifacts = jobArtifacts;
        this.tokens = tokens;
        this.build = build;
        this.environment = environment;
    }

    /** Answer of {@code GET /api/admin/stats}. */
    public record Stats(Service service, Map<JobState, Long> jobsByStatus, Map<String, Long> deadLetters,
            Map<String, Long> consumerLag, Map<String, Object> settings) {
    }

    /** The API instance: its version (build info, or {@code unknown} when run from classes), start and uptime. */
    public record Service(String name, String version, Instant startedAt, Duration uptime) {
    }

    /** Answer of {@code POST /api/admin/cleanup}. */
    public record Cleanup(int removed, boolean deep, int purged, int artifactsDeleted) {
    }

    /** Answer of {@code POST /api/admin/factory-reset}. */
    public record Reset(int removed, int artifactsDeleted, long stillRunning, String warning) {
    }

    @Operation(summary = "The API's version, uptime and settings; jobs by status, dead-letter depths and consumer lag")
    @GetMapping("/stats")
    public Stats stats(Principal caller) {
        AUDIT.info("caller={} action=stats", caller.getName());
        Map<JobState, Long> byStatus = new LinkedHashMap<>();
        for (JobState state : JobState.values()) {
            byStatus.put(state, 0L);
        }
        view.allJobs().forEach(job -> byStatus.merge(job.getState(), 1L, Long::sum));
        return new Stats(service(), byStatus, stats.deadLetterDepths(), stats.consumerLag(), settings());
    }

    @Operation(summary = "Remove ended jobs older than the given ISO-8601 duration; deep=true also purges their item"
            + " records, results, artifacts and the tracker's and engine's state",
            description = "Plain: tombstones on tally.jobs.status. Deep (ADR 0020): also a JobPurgeRequested per job"
                    + " (the tracker deletes the job's state and result cache entry), the job's artifacts deleted,"
                    + " and an AdminActionAudited record naming the caller.")
    @PostMapping("/cleanup")
    public Cleanup cleanup(@RequestParam(defaultValue = "P7D") String olderThan,
            @RequestParam(defaultValue = "false") boolean deep, Principal caller) {
        Duration age = parsePositive(olderThan);
        AUDIT.info("caller={} action=cleanup olderThan={} deep={}", caller.getName(), age, deep);
        Instant cutoff = clock.instant().minus(age);
        List<JobStatus> expired = view.allJobs().stream()
                .filter(job -> JobStates.isEnded(job.getState()))
                .filter(job -> job.getCompletedAt() != null && job.getCompletedAt().isBefore(cutoff))
                .toList();
        int deleted = remove(expired, deep, caller.getName(), deep ? "cleanup-deep" : null, "olderThan=" + age);
        meters.counter("tally.api.cleanup.removed").increment(expired.size());
        AUDIT.info("caller={} action=cleanup olderThan={} deep={} removed={} artifactsDeleted={}", caller.getName(),
                age, deep, expired.size(), deleted);
        return new Cleanup(expired.size(), deep, deep ? expired.size() : 0, deleted);
    }

    @Operation(summary = "Remove every ended job everywhere and every artifact; needs a confirmation token",
            description = "The first call (without confirm, or with one that is wrong or expired) removes nothing: 409"
                    + " problem whose confirmationToken is good for one call by the same caller within 60 s; 400"
                    + " problem for a wrong or expired token. Running jobs are left running (cancel them first).")
    @PostMapping("/factory-reset")
    public Reset factoryReset(@RequestParam(required = false) String confirm, Principal caller) {
        String who = caller.getName();
        if (confirm == null || confirm.isBlank()) {
            String token = tokens.issue(who);
            AUDIT.info("caller={} action=factory-reset outcome=token-issued", who);
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "A factory reset removes every"
                    + " ended job, its items, results and engine state, and every artifact. To confirm, call again"
                    + " within " + ResetTokens.TTL.toSeconds() + " s: POST /api/admin/factory-reset?confirm=" + token);
            problem.setTitle("Confirmation required");
            problem.setType(URI.create("urn:tally:problem:confirmation-required"));
            problem.setProperty("confirmationToken", token);
            problem.setProperty("expiresInSeconds", ResetTokens.TTL.toSeconds());
            throw new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
        }
        if (!tokens.redeem(who, confirm)) {
            AUDIT.warn("caller={} action=factory-reset outcome=refused reason=wrong-or-expired-token", who);
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "confirm: the token is wrong, used or expired;"
                    + " POST /api/admin/factory-reset without confirm to get a new one");
        }
        List<JobStatus> all = view.allJobs();
        List<JobStatus> ended = all.stream().filter(job -> JobStates.isEnded(job.getState())).toList();
        int deleted = remove(ended, true, who, "factory-reset", "all ended jobs and artifacts");
        deleted += artifacts.deleteUnder("");
        long running = all.size() - ended.size();
        AUDIT.warn("caller={} action=factory-reset outcome=done removed={} artifactsDeleted={} stillRunning={}", who,
                ended.size(), deleted, running);
        return new Reset(ended.size(), deleted, running, "Every ended job and every artifact was removed; "
                + running + " jobs not ended were left (cancel them, then reset again)");
    }

    /**
     * Tombstones the jobs' statuses and, when deep, asks the tracker to purge them and writes the audit record, all in
     * one transaction (a failed call removes nothing, a retried one the rest); then deletes their artifacts.
     *
     * @return artifacts deleted
     */
    private int remove(List<JobStatus> jobs, boolean deep, String caller, String action, String detail) {
        if (jobs.isEmpty() && !deep) {
            return 0;
        }
        Instant now = clock.instant();
        kafka.executeInTransaction(operations -> {
            for (JobStatus job : jobs) {
                operations.send(Topics.JOB_STATUS.name(), job.getJobId(), null);
                if (deep) {
                    operations.send(Topics.JOB_PURGE_REQUESTS.name(), job.getJobId(), JobPurgeRequested.newBuilder()
                            .setJobId(job.getJobId()).setRequestedBy(caller).setRequestedAt(now).setReason(action)
                            .build());
                }
            }
            return null;
        });
        int deleted = 0;
        if (deep) {
            for (JobStatus job : jobs) {
                deleted += jobArtifacts.delete(job);
            }
            String actionId = UUID.randomUUID().toString();
            AdminActionAudited audit = AdminActionAudited.newBuilder().setActionId(actionId).setAction(action)
                    .setCaller(caller).setAt(now).setJobsRemoved(jobs.size()).setArtifactsDeleted(deleted)
                    .setDetail(detail).build();
            kafka.executeInTransaction(operations -> operations.send(Topics.ADMIN_AUDIT.name(), actionId, audit));
        }
        return deleted;
    }

    private Service service() {
        BuildProperties info = build.getIfAvailable();
        String version = info != null ? info.getVersion()
                : AdminController.class.getPackage().getImplementationVersion();
        long started = ManagementFactory.getRuntimeMXBean().getStartTime();
        return new Service(environment.getProperty("spring.application.name", "jobs-api"),
                version == null ? "unknown" : version, Instant.ofEpochMilli(started),
                Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()).withNanos(0));
    }

    /** The settings that shape what the API answers; no secrets (keys, JWT settings) are listed. */
    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("tally.api.max-page-size", properties.maxPageSize());
        settings.put("tally.api.idempotency-wait", properties.idempotencyWait().toString());
        settings.put("tally.api.pending-key-retention", properties.pendingKeyRetention().toString());
        settings.put("tally.api.admin-timeout", properties.adminTimeout().toString());
        settings.put("tally.api.replay-timeout", properties.replayTimeout().toString());
        settings.put("tally.api.max-request-body", properties.maxRequestBody().toString());
        settings.put("tally.api.security.open-reads", environment.getProperty("tally.api.security.open-reads", "false"));
        settings.put("tally.artifacts.dir", artifactProperties.dir().toString());
        settings.put("factory-reset.token-ttl", ResetTokens.TTL.toString());
        return settings;
    }

    private static Duration parsePositive(String olderThan) {
        try {
            Duration age = Duration.parse(olderThan);
            if (!age.isNegative() && !age.isZero()) {
                return age;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                "olderThan: must be a positive ISO-8601 duration such as P7D or PT12H, not '" + olderThan + "'");
    }
}
