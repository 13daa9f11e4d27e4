package io.tally.jobsapi.workers;

import io.swagger.v3.oas.annotations.Operation;
import io.tally.common.topics.Topics;
import io.tally.events.WorkerHeartbeat;
import io.tally.jobsapi.view.JobView;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The workers view: every worker instance's last heartbeat ({@code tally.workers.heartbeats}, a global store of the
 * API's view) joined at read time with the worker consumer groups Kafka reports, and forgetting an instance that is
 * gone. Known gap: a forgotten instance that comes back simply reappears with its next heartbeat.
 */
@RestController
@RequestMapping("/api/workers")
public class WorkersController {

    private static final int SEND_TIMEOUT_SECONDS = 10;

    private final JobView view;
    private final WorkerGroups groups;
    private final KafkaTemplate<String, Object> kafka;
    private final Clock clock;

    public WorkersController(JobView view, WorkerGroups groups, KafkaTemplate<String, Object> kafka) {
        this.view = view;
        this.groups = groups;
        this.kafka = kafka;
        this.clock = Clock.systemUTC();
    }

    @Operation(summary = "Every worker instance with its status, current task, counts and group membership, and how "
            + "fresh the answer is")
    @GetMapping
    public WorkersResponse list() {
        return list(view, groups, clock);
    }

    /** The workers view now: the API's answer and the dashboard page's content. */
    public static WorkersResponse list(JobView view, WorkerGroups groups, Clock clock) {
        List<WorkerHeartbeat> heartbeats = view.workers();
        Instant now = clock.instant();
        WorkerGroups.Snapshot members = groups.members();
        List<WorkerResponse> workers = heartbeats.stream().map(h -> WorkerResponse.of(h, now, members)).toList();
        Instant newest = heartbeats.stream().map(WorkerHeartbeat::getHeartbeatAt).max(Comparator.naturalOrder())
                .orElse(null);
        long staleAfter = heartbeats.stream()
                .mapToLong(h -> WorkerResponse.LOST_AFTER_INTERVALS * h.getHeartbeatIntervalMs()).max().orElse(0);
        return new WorkersResponse(now, newest, staleAfter, members.readAt(), members.error(), workers);
    }

    @Operation(summary = "One worker instance", description = "Answers 404 when the view has no heartbeat of it.")
    @GetMapping("/{instanceId}")
    public WorkerResponse show(@PathVariable String instanceId) {
        return WorkerResponse.of(find(instanceId), clock.instant(), groups.members());
    }

    @Operation(summary = "Forget a STOPPED or LOST worker instance (ADMIN)",
            description = "Writes a tombstone for it to tally.workers.heartbeats. 409 for an instance that is alive, "
                    + "404 for one the view does not have.")
    @DeleteMapping("/{instanceId}")
    public ResponseEntity<Void> forget(@PathVariable String instanceId) throws InterruptedException {
        WorkerResponse worker = WorkerResponse.of(find(instanceId), clock.instant(), groups.members());
        if (!worker.gone()) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "worker '" + instanceId + "' is "
                    + worker.derivedStatus() + " (last heartbeat " + worker.heartbeatAgeMs()
                    + " ms ago); only a STOPPED or LOST instance can be forgotten");
        }
        try {
            kafka.executeInTransaction(operations -> operations.send(Topics.WORKER_HEARTBEATS.name(), instanceId, null))
                    .get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "could not write the tombstone: " + e);
        }
        return ResponseEntity.noContent().build();
    }

    private WorkerHeartbeat find(String instanceId) {
        return view.worker(instanceId).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "worker '" + instanceId + "' is not known"));
    }
}
