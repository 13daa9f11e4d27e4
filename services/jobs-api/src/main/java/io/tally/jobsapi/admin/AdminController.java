package io.tally.jobsapi.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.tally.common.jobs.JobStates;
import io.tally.common.topics.Topics;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.jobsapi.view.JobView;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Admin endpoints (role ADMIN, see the security configuration). Every call is logged to {@code io.tally.jobsapi.audit}
 * with the caller, action and parameters. Known gap: cleanup only removes the API's view; the tracker keeps an ended
 * job's state until its own retention, and a late item for a removed job would publish its status again.
 */
@RestController
@RequestMapping("/api/admin")
public class AdminController {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final JobView view;
    private final KafkaStats stats;
    private final KafkaTemplate<String, Object> kafka;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();

    public AdminController(JobView view, KafkaStats stats, KafkaTemplate<String, Object> kafka, MeterRegistry meters) {
        this.view = view;
        this.stats = stats;
        this.kafka = kafka;
        this.meters = meters;
    }

    /** Answer of {@code GET /api/admin/stats}. */
    public record Stats(Map<JobState, Long> jobsByStatus, Map<String, Long> deadLetters, Map<String, Long> consumerLag) {
    }

    /** Answer of {@code POST /api/admin/cleanup}. */
    public record Cleanup(int removed) {
    }

    @Operation(summary = "Jobs by status, dead-letter depths and consumer lag of Tally's groups")
    @GetMapping("/stats")
    public Stats stats(Principal caller) {
        AUDIT.info("caller={} action=stats", caller.getName());
        Map<JobState, Long> byStatus = new LinkedHashMap<>();
        for (JobState state : JobState.values()) {
            byStatus.put(state, 0L);
        }
        view.allJobs().forEach(job -> byStatus.merge(job.getState(), 1L, Long::sum));
        return new Stats(byStatus, stats.deadLetterDepths(), stats.consumerLag());
    }

    @Operation(summary = "Remove ended jobs older than the given ISO-8601 duration from the status topic")
    @PostMapping("/cleanup")
    public Cleanup cleanup(@RequestParam(defaultValue = "P7D") String olderThan, Principal caller) {
        Duration age = parsePositive(olderThan);
        AUDIT.info("caller={} action=cleanup olderThan={}", caller.getName(), age);
        Instant cutoff = clock.instant().minus(age);
        List<String> expired = view.allJobs().stream()
                .filter(job -> JobStates.isEnded(job.getState()))
                .filter(job -> job.getCompletedAt() != null && job.getCompletedAt().isBefore(cutoff))
                .map(JobStatus::getJobId)
                .toList();
        if (!expired.isEmpty()) {
            // One transaction: a failed cleanup removes nothing, a retried one removes the rest.
            kafka.executeInTransaction(operations -> {
                expired.forEach(jobId -> operations.send(Topics.JOB_STATUS.name(), jobId, null));
                return null;
            });
        }
        meters.counter("tally.api.cleanup.removed").increment(expired.size());
        AUDIT.info("caller={} action=cleanup olderThan={} removed={}", caller.getName(), age, expired.size());
        return new Cleanup(expired.size());
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
