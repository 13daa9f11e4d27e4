package io.tally.jobsapi.runs;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobsapi.view.JobView;
import io.tally.jobsapi.view.ViewNotReadyException;
import io.tally.common.jobs.JobIds;
import io.tally.common.topics.Topics;
import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.RunParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Turns a run request into one {@code PipelineTriggered}, at most once per Idempotency-Key.
 * <p>
 * The same transaction writes the job's first status, QUEUED, to {@code tally.jobs.status} (ADR 0019): the job is
 * visible at once, before the engine has read the trigger, and however long no engine runs. The engine's own statuses
 * of the job come after it in the same partition (it can only read the trigger once this transaction committed), so
 * the QUEUED status never overwrites a later one.
 * <p>
 * A key is looked up in this instance's memory, then in the global idempotency view. A new key's trigger and its
 * {@code IdempotencyKeyUsed} record are written in one Kafka transaction, so the view never holds a key whose trigger
 * was lost, nor a trigger without its key. Keys stay in memory until the view has them, so a fast retry to the same
 * instance does not fire twice.
 * <p>
 * Known gap: two instances that receive the same new key before either's transaction reaches the other's view (at most
 * the produce latency plus the view's poll) both emit a trigger, with different trigger and job ids. Closing it needs
 * a single writer per key (for example a Streams processor keyed by Idempotency-Key that decides first-wins).
 */
@Service
public class RunTrigger {

    private final KafkaTemplate<String, Object> kafka;
    private final JobView view;
    private final ApiProperties properties;
    private final Clock clock = Clock.systemUTC();
    private final MeterRegistry meters;
    private final PublishedPipelines pipelines;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    public RunTrigger(KafkaTemplate<String, Object> kafka, JobView view, ApiProperties properties, MeterRegistry meters,
            PublishedPipelines pipelines) {
        this.kafka = kafka;
        this.view = view;
        this.properties = properties;
        this.meters = meters;
        this.pipelines = pipelines;
    }

    /**
     * Emits a run of {@code pipeline}, or answers the first run of {@code idempotencyKey} again.
     *
     * @param idempotencyKey the client's Idempotency-Key, or null for a request that is never deduplicated
     * @throws IdempotencyConflictException when the key was used with another pipeline or other parameters
     */
    public RunAccepted trigger(String pipeline, Map<String, String> parameters, String idempotencyKey, String requestedBy) {
        if (idempotencyKey == null) {
            IdempotencyKeyUsed used = newRun(pipeline, parameters, "api:" + UUID.randomUUID(), null, requestedBy);
            send(used, parameters, false);
            return count(answer(used), pipeline, "accepted");
        }
        String requestHash = requestHash(pipeline, parameters);
        forgetKeysTheViewHas();
        Optional<IdempotencyKeyUsed> known = view.idempotencyKey(idempotencyKey);
        if (known.isPresent()) {
            return replay(known.get(), requestHash, idempotencyKey);
        }
        Pending mine = new Pending(new CompletableFuture<>(), clock.instant());
        Pending existing = pending.putIfAbsent(idempotencyKey, mine);
        if (existing != null) {
            return replay(await(existing), requestHash, idempotencyKey);
        }
        try {
            IdempotencyKeyUsed used = newRun(pipeline, parameters, "api:" + idempotencyKey, idempotencyKey, requestedBy);
            send(used, parameters, true);
            mine.used().complete(used);
            return count(answer(used), pipeline, "accepted");
        } catch (RuntimeException e) {
            // Nothing was committed: let the next attempt try again instead of replaying a failure.
            pending.remove(idempotencyKey, mine);
            mine.used().completeExceptionally(e);
            throw e;
        }
    }

    /** Keys used by this instance that the view does not show yet. */
    int pendingKeys() {
        return pending.size();
    }

    private RunAccepted replay(IdempotencyKeyUsed used, String requestHash, String key) {
        if (!used.getRequestHash().equals(requestHash)) {
            meters.counter("tally.api.runs.requested", "pipeline", used.getPipeline(), "outcome", "conflict").increment();
            throw new IdempotencyConflictException(key);
        }
        return count(answer(used), used.getPipeline(), "replayed");
    }

    private IdempotencyKeyUsed await(Pending other) {
        try {
            return other.used().get(properties.idempotencyWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ViewNotReadyException("interrupted while waiting for a concurrent request with the same key");
        } catch (ExecutionException | TimeoutException e) {
            throw new ViewNotReadyException("a concurrent request with the same Idempotency-Key did not finish; retry");
        }
    }

    private IdempotencyKeyUsed newRun(String pipeline, Map<String, String> parameters, String triggerId, String key,
            String requestedBy) {
        Instant now = clock.instant();
        return IdempotencyKeyUsed.newBuilder()
                .setIdempotencyKey(key == null ? triggerId : key)
                .setRequestHash(requestHash(pipeline, parameters))
                .setPipeline(pipeline)
                .setTriggerId(triggerId)
                .setJobId(JobIds.forTrigger(pipeline, now, triggerId))
                .setRequestedBy(requestedBy)
                .setUsedAt(now)
                .build();
    }

    private void send(IdempotencyKeyUsed used, Map<String, String> parameters, boolean rememberKey) {
        PipelineTriggered trigger = PipelineTriggered.newBuilder()
                .setTriggerId(used.getTriggerId())
                .setJobId(used.getJobId())
                .setPipeline(used.getPipeline())
                .setTriggeredAt(used.getUsedAt())
                .setParameters(Map.copyOf(parameters))
                .setRequestedBy(used.getRequestedBy())
                .build();
        JobStatus queued = queued(used, parameters, pipelines.latest(used.getPipeline())
                .map(PublishedPipelines.Versions::definition).orElse(null));
        kafka.executeInTransaction(operations -> {
            operations.send(Topics.JOB_STATUS.name(), queued.getJobId(), queued);
            operations.send(Topics.PIPELINE_TRIGGERS.name(), trigger.getTriggerId(), trigger);
            if (rememberKey) {
                operations.send(Topics.API_IDEMPOTENCY.name(), used.getIdempotencyKey(), used);
            }
            return null;
        });
        view.accepted(queued);
    }

    /**
     * The job as it is until the engine starts it: QUEUED, with the stages and the parameters (defaults applied) of
     * the latest definition this instance knows; the engine may start it on a newer one and says so in its status.
     */
    static JobStatus queued(IdempotencyKeyUsed used, Map<String, String> parameters, PipelineDefinition definition) {
        Map<String, String> resolved = new LinkedHashMap<>(parameters);
        List<StageStatus> stages = new ArrayList<>();
        if (definition != null) {
            try {
                resolved = new LinkedHashMap<>(RunParameters.resolve(definition, parameters));
            } catch (RunParameters.InvalidException e) {
                // The caller checked them against the same definition; a newer one refusing them is the engine's call.
            }
            definition.stages().forEach(stage -> stages.add(StageStatus.newBuilder().setName(stage.id())
                    .setState(StageState.PENDING).setDone(0).build()));
        }
        Instant at = used.getUsedAt();
        return JobStatus.newBuilder()
                .setJobId(used.getJobId())
                .setPipeline(used.getPipeline())
                .setPipelineVersion(definition == null ? null : definition.version())
                .setState(JobState.QUEUED)
                .setSucceededCount(0).setFailedCount(0).setSkippedCount(0)
                .setStages(stages)
                .setCountedStage(stages.isEmpty() ? "items" : stages.get(stages.size() - 1).getName())
                .setCreatedAt(at).setFirstSeenAt(at).setLastProgressAt(at).setUpdatedAt(at)
                .setParameters(resolved)
                .setTriggerId(used.getTriggerId())
                .setRequestedBy(used.getRequestedBy())
                .build();
    }

    private void forgetKeysTheViewHas() {
        Instant expiry = clock.instant().minus(properties.pendingKeyRetention());
        pending.entrySet().removeIf(entry -> entry.getValue().used().isDone()
                && (entry.getValue().since().isBefore(expiry) || view.idempotencyKey(entry.getKey()).isPresent()));
    }

    private RunAccepted count(RunAccepted answer, String pipeline, String outcome) {
        meters.counter("tally.api.runs.requested", "pipeline", pipeline, "outcome", outcome).increment();
        return answer;
    }

    private static RunAccepted answer(IdempotencyKeyUsed used) {
        return new RunAccepted(used.getJobId(), used.getTriggerId(), RunAccepted.QUEUED,
                Map.of("self", "/api/jobs/" + used.getJobId()));
    }

    /** SHA-256 over the pipeline and the parameters sorted by name, so JSON key order does not matter. */
    static String requestHash(String pipeline, Map<String, String> parameters) {
        StringBuilder text = new StringBuilder(pipeline);
        new TreeMap<>(parameters).forEach((name, value) ->
                text.append('\n').append(name.length()).append(':').append(name).append('=').append(value));
        return JobIds.sha256Hex(text.toString());
    }

    private record Pending(CompletableFuture<IdempotencyKeyUsed> used, Instant since) {
    }
}
