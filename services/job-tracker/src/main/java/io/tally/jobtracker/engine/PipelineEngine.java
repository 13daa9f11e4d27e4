package io.tally.jobtracker.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.JobStates;
import io.tally.common.jobs.Stages;
import io.tally.events.CachedResult;
import io.tally.events.ItemOutcome;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobCancelled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.events.TaskError;
import io.tally.events.TaskResult;
import io.tally.events.engine.JobRun;
import io.tally.events.engine.StageRun;
import io.tally.events.engine.TaskRun;
import io.tally.jobtracker.JobCounts;
import io.tally.pipeline.ExpressionException;
import io.tally.pipeline.ExpressionScope;
import io.tally.pipeline.Expressions;
import io.tally.pipeline.OnFailure;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.RetryPolicy;
import io.tally.pipeline.RunParameters;
import io.tally.pipeline.StageSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The pipeline engine's rules (ADR 0015): creates a job from a trigger and its definition, dispatches each stage
 * once all its dependencies have ended, fans a stage out over a list, collects results, applies retries, timeouts and
 * {@code onFailure}, and ends the job exactly once. It keeps one {@link JobRun} per job and one {@link TaskRun} per
 * task; the job's status, timers and end belong to the tracker it lives in ({@link JobLedger}).
 * Fan-out elements are the job's items: each counts once, a later different outcome is a correction (but a failure
 * never undoes a success, so a replay of the results changes nothing), and a result after the job ended is late
 * (ADR 0003's rules).
 * When a job ends COMPLETED or COMPLETED_WITH_FAILURES it gets the definition's {@code result} (inline, or by
 * reference when too big: {@link JobResults}); a COMPLETED job of a pipeline with a {@code cache} also becomes a
 * result cache entry, and a later run with the same key within the ttl reuses it and runs no stage (ADR 0019).
 * Known gaps: a single task's result after its stage ended changes nothing (only fan-out elements are corrected), and
 * a correction after the job ended does not rebuild its result.
 */
public final class PipelineEngine {

    /** Error code of an attempt that did not answer within its stage's timeout. */
    public static final String TIMEOUT = "timeout";
    /** Error code of an attempt whose input could not be built or encoded. */
    public static final String BAD_INPUT = "bad-input";
    /** Error code of a result whose output could not be read; not retried, the worker would write it again. */
    public static final String BAD_OUTPUT = "bad-output";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobLedger ledger;
    private final PipelineDefinitions definitions;
    private final TaskCodec codec;
    private final KeyValueStore<String, JobRun> runs;
    private final KeyValueStore<Bytes, TaskRun> tasks;
    private final EngineSettings settings;
    private final JobResults results;

    public PipelineEngine(JobLedger ledger, PipelineDefinitions definitions, TaskCodec codec,
                          KeyValueStore<String, JobRun> runs, KeyValueStore<Bytes, TaskRun> tasks,
                          EngineSettings settings, ArtifactStore artifacts) {
        this.ledger = ledger;
        this.definitions = definitions;
        this.codec = codec;
        this.runs = runs;
        this.tasks = tasks;
        this.settings = settings;
        this.results = new JobResults(artifacts, settings.resultInlineLimit());
    }

    /**
     * Starts a run of the trigger's pipeline on its latest definition. A repeated trigger changes nothing; a trigger
     * of a pipeline that has no definition is not the engine's (jobs of such pipelines are created by a
     * {@code JobCreated}) and is ignored.
     *
     * @return whether the engine took the trigger
     */
    public boolean onTrigger(PipelineTriggered trigger, long now, long timestamp) {
        String jobId = trigger.getJobId();
        Optional<PipelineDefinition> found = definitions.latest(trigger.getPipeline());
        if (found.isEmpty()) {
            return false;
        }
        if (runs.get(jobId) != null) {
            JobStatus job = ledger.job(jobId);
            if (job != null) {
                job.setDuplicateCount(job.getDuplicateCount() + 1);
                ledger.save(job);
            }
            return true;
        }
        PipelineDefinition definition = found.get();
        JobStatus job = ledger.job(jobId);
        if (job != null) {
            throw new PoisonRecordException("Trigger %s names job %s, which the tracker already has from another source"
                    .formatted(trigger.getTriggerId(), jobId));
        }
        job = ledger.newJob(jobId, now);
        job.setPipeline(definition.name());
        job.setPipelineVersion(definition.version());
        job.setSourceRef(sourceRef(definition, trigger));
        job.setCreatedAt(Instant.ofEpochMilli(now));
        job.setState(JobState.RUNNING);
        job.setExpectedCount(0);
        job.setTriggerId(trigger.getTriggerId());
        job.setRequestedBy(trigger.getRequestedBy());
        job.setCountedStage(definition.stages().stream().filter(StageSpec::fansOut).map(StageSpec::id).findFirst()
                .orElse(definition.stages().get(definition.stages().size() - 1).id()));
        List<StageStatus> statuses = new ArrayList<>();
        List<StageRun> stageRuns = new ArrayList<>();
        for (StageSpec spec : definition.stages()) {
            statuses.add(StageStatus.newBuilder().setName(spec.id()).setState(StageState.PENDING).setDone(0).build());
            stageRuns.add(StageRun.newBuilder().setId(spec.id()).setState(StageState.PENDING).build());
        }
        job.setStages(statuses);
        Instant deadline = Instant.ofEpochMilli(now).plus(definition.deadline() != null ? definition.deadline()
                : settings.defaultJobDeadline());
        job.setDeadline(deadline);
        ledger.armDeadline(jobId, deadline.toEpochMilli());
        JobRun run = JobRun.newBuilder()
                .setJobId(jobId)
                .setPipeline(definition.name())
                .setVersion(definition.version())
                .setTriggerId(trigger.getTriggerId())
                .setParameters(new LinkedHashMap<>())
                .setStages(stageRuns)
                .build();
        try {
            run.setParameters(new LinkedHashMap<>(RunParameters.resolve(definition, trigger.getParameters())));
            job.setParameters(new LinkedHashMap<>(run.getParameters()));
        } catch (RunParameters.InvalidException e) {
            // The API checks parameters before it triggers; a schedule's or a replayed trigger's can still be bad.
            end(run, job, JobState.FAILED, "bad parameters: " + e.getMessage(), now, timestamp);
            return true;
        }
        if (reuseCachedResult(run, definition, job, now, timestamp)) {
            return true;
        }
        runs.put(jobId, run);
        advance(run, definition, job, now, timestamp);
        return true;
    }

    /**
     * Ends the job at once with an earlier job's result when the pipeline caches results and a COMPLETED job with the
     * same key ended within the ttl: no stage runs, each is SKIPPED saying where the result came from.
     */
    private boolean reuseCachedResult(JobRun run, PipelineDefinition definition, JobStatus job, long now,
                                      long timestamp) {
        if (definition.cache() == null) {
            return false;
        }
        CachedResult cached = ledger.cachedResult(ResultCache.key(definition, run.getParameters()));
        if (cached == null || !ResultCache.fresh(cached, definition.cache(), now)) {
            return false;
        }
        String detail = "cached: result of job " + cached.getJobId();
        Instant at = Instant.ofEpochMilli(now);
        for (StageRun stage : run.getStages()) {
            stage.setState(StageState.SKIPPED);
        }
        for (StageStatus status : job.getStages()) {
            status.setState(StageState.SKIPPED);
            status.setDetail(detail);
            status.setEndedAt(at);
            status.setUpdatedAt(at);
        }
        job.setCachedFrom(cached.getJobId());
        job.setResult(cached.getResult());
        job.setResultRef(cached.getResultRef());
        end(run, job, JobState.COMPLETED, null, now, timestamp);
        return true;
    }

    /** Applies one worker's result: counted once per task, retried or failed by the stage's policy. */
    public void onResult(TaskResult result, long now, long timestamp) {
        JobRun run = runs.get(result.getJobId());
        if (run == null) {
            throw new PoisonRecordException(("Task result %s is for job %s, which the engine does not run (never "
                    + "started here, or expired)").formatted(result.getTaskId(), result.getJobId()));
        }
        PipelineDefinition definition = definitionOf(run);
        StageSpec spec = definition.stage(result.getStage()).orElseThrow(() -> new PoisonRecordException(
                "Task result %s names stage '%s', which pipeline %s v%d does not have".formatted(
                        result.getTaskId(), result.getStage(), run.getPipeline(), run.getVersion())));
        TaskKey key = new TaskKey(run.getJobId(), spec.id(), result.getItemId());
        TaskRun task = tasks.get(key.toBytes());
        JobStatus job = ledger.job(run.getJobId());
        if (task == null || job == null) {
            throw new PoisonRecordException("Task result %s answers a task the engine never dispatched"
                    .formatted(result.getTaskId()));
        }
        boolean ended = JobStates.isEnded(job.getState());
        if (isTerminal(task.getState())) {
            onRepeatedResult(run, spec, key, task, job, result, now, timestamp);
            return;
        }
        if (ended) {
            // The job ended (deadline, cancel, a failed stage) while this task ran: it is late, not counted.
            settle(key, task, result, null, true);
            job.setLateCount(job.getLateCount() + 1);
            ledger.publishNow(job, timestamp);
            return;
        }
        if (result.getOutcome() == ItemOutcome.FAILED) {
            if (result.getAttempt() < task.getAttempt()
                    || (result.getAttempt() == task.getAttempt() && task.getState() == StageState.PENDING)) {
                // An older attempt failing after a newer one was sent decides nothing.
                job.setDuplicateCount(job.getDuplicateCount() + 1);
                ledger.save(job);
                return;
            }
            failAttempt(run, definition, spec, key, task, job, result.getError(), now, timestamp);
            return;
        }
        String output;
        try {
            output = output(spec, result);
        } catch (TaskCodec.TaskCodecException e) {
            failAttempt(run, definition, spec, key, task, job, new TaskError(BAD_OUTPUT, e.getMessage(), false), now, timestamp);
            return;
        }
        // A success or skip is taken from any attempt: the work is done, whichever attempt did it.
        settle(key, task, result, output, false);
        taskEnded(run, definition, spec, task, job, result.getOutcome(), now, timestamp);
    }

    /** Cancels a running job: nothing more is dispatched, and workers see the cancellation. */
    public void onCancel(JobCancelRequested cancel, long now, long timestamp) {
        JobRun run = runs.get(cancel.getJobId());
        JobStatus job = ledger.job(cancel.getJobId());
        if (job == null) {
            throw new PoisonRecordException("Cancel request for job %s, which the tracker does not know"
                    .formatted(cancel.getJobId()));
        }
        if (run == null || JobStates.isEnded(job.getState())) {
            job.setDuplicateCount(job.getDuplicateCount() + 1);
            ledger.save(job);
            return;
        }
        String reason = "cancelled" + (cancel.getRequestedBy() != null ? " by " + cancel.getRequestedBy() : "")
                + (cancel.getReason() != null ? ": " + cancel.getReason() : "");
        end(run, job, JobState.CANCELLED, reason, now, timestamp);
    }

    /** An attempt's timeout is due: if that attempt is still out, it failed. */
    public void onTaskTimeout(String ref, long now) {
        TaskKey key = TaskKey.ofRef(ref);
        JobRun run = runs.get(key.jobId());
        TaskRun task = tasks.get(key.toBytes());
        JobStatus job = ledger.job(key.jobId());
        if (run == null || task == null || job == null || JobStates.isEnded(job.getState())
                || task.getState() != StageState.RUNNING || task.getAttempt() != TaskKey.attemptOfRef(ref)) {
            return;
        }
        PipelineDefinition definition = definitionOf(run);
        StageSpec spec = definition.stage(key.stage()).orElseThrow();
        TaskError error = new TaskError(TIMEOUT, "attempt %d did not finish within %s"
                .formatted(task.getAttempt(), timeout(spec)), true);
        failAttempt(run, definition, spec, key, task, job, error, now, now);
    }

    /** A retry's wait is over: dispatch the next attempt. */
    public void onRetryDue(String ref, long now) {
        TaskKey key = TaskKey.ofRef(ref);
        JobRun run = runs.get(key.jobId());
        TaskRun task = tasks.get(key.toBytes());
        JobStatus job = ledger.job(key.jobId());
        if (run == null || task == null || job == null || JobStates.isEnded(job.getState())
                || task.getState() != StageState.PENDING) {
            return;
        }
        PipelineDefinition definition = definitionOf(run);
        StageSpec spec = definition.stage(key.stage()).orElseThrow();
        task.setAttempt(task.getAttempt() + 1);
        send(run, definition, spec, key, task, job, now, now);
    }

    /**
     * The tracker is ending the job (its deadline): the run ends with it, its open stages are closed on
     * {@code job} (which the tracker then saves and publishes), and workers stop its running tasks. Called for every
     * job end; it does nothing for jobs the engine does not run or already ended itself.
     */
    public void onJobEnded(JobStatus job, JobState state, String reason, long now) {
        JobRun run = runs.get(job.getJobId());
        if (run == null || run.getEndedAs() != null) {
            return;
        }
        run.setEndedAs(state);
        runs.put(run.getJobId(), run);
        closeOpenStages(job, state, now);
        stopWorkers(run.getJobId(), state, reason, now);
    }

    /** Deletes the engine's state of an expired job. */
    public void expire(String jobId) {
        if (runs.get(jobId) == null) {
            return;
        }
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, TaskRun> iterator =
                     tasks.prefixScan(TaskKey.jobPrefix(jobId), (topic, prefix) -> prefix.get())) {
            iterator.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(tasks::delete);
        runs.delete(jobId);
    }

    /**
     * Before an admin purge deletes the job's state: its result cache entry goes too, when the entry is still this
     * job's (a later job's entry for the same key stays).
     */
    public void purge(String jobId, long timestamp) {
        JobRun run = runs.get(jobId);
        if (run == null) {
            return;
        }
        definitions.version(run.getPipeline(), run.getVersion()).filter(definition -> definition.cache() != null)
                .ifPresent(definition -> {
                    String key = ResultCache.key(definition, run.getParameters());
                    CachedResult entry = ledger.cachedResult(key);
                    if (entry != null && entry.getJobId().equals(jobId)) {
                        ledger.uncache(key, timestamp);
                    }
                });
    }

    /** Whether the engine runs this job (it has a definition and a run). */
    public boolean runs(String jobId) {
        return runs.get(jobId) != null;
    }

    private void onRepeatedResult(JobRun run, StageSpec spec, TaskKey key, TaskRun task, JobStatus job,
                                  TaskResult result, long now, long timestamp) {
        ItemOutcome previous = outcomeOf(task.getState());
        // A done element stays done: a failure after a success is an older delivery (a replay of the results topic
        // puts a redriven element's failure before its success again), never a reason to undo the work.
        boolean undoesDoneWork = result.getOutcome() == ItemOutcome.FAILED && previous != ItemOutcome.FAILED;
        if (!spec.fansOut() || result.getOutcome() == previous || result.getAttempt() < task.getAttempt()
                || undoesDoneWork) {
            job.setDuplicateCount(job.getDuplicateCount() + 1);
            ledger.save(job);
            return;
        }
        // A fan-out element with a different outcome from the same or a later attempt (a redriven dead letter, say):
        // a correction. The job keeps its single completion; counts and the end state follow the correction.
        settle(key, task, result, result.getOutcome() == ItemOutcome.FAILED ? null : output(spec, result), task.getLate());
        job.setCorrectionCount(job.getCorrectionCount() + 1);
        if (!task.getLate()) {
            StageRun stage = stageRun(run, spec.id());
            count(job, stage, previous, -1);
            count(job, stage, result.getOutcome(), 1);
            runs.put(run.getJobId(), run);
            updateFanOutStatus(job, stage, Instant.ofEpochMilli(now));
            if (job.getState() == JobState.COMPLETED_WITH_FAILURES || job.getState() == JobState.COMPLETED) {
                job.setState(hasFailures(run) ? JobState.COMPLETED_WITH_FAILURES : JobState.COMPLETED);
            }
        }
        job.setUpdatedAt(Instant.ofEpochMilli(now));
        ledger.publishNow(job, timestamp);
    }

    private void failAttempt(JobRun run, PipelineDefinition definition, StageSpec spec, TaskKey key, TaskRun task,
                             JobStatus job, TaskError error, long now, long timestamp) {
        TaskError reason = error != null ? error : new TaskError("unknown", "the worker gave no reason", true);
        task.setError(reason.getCode() + ": " + reason.getMessage());
        RetryPolicy retry = spec.retry();
        boolean retried = reason.getRetryable() && task.getAttempt() < retry.attempts()
                && !retry.notRetried().contains(reason.getCode());
        if (retried) {
            task.setState(StageState.PENDING);
            tasks.put(key.toBytes(), task);
            ledger.armRetry(now + retry.delayBefore(task.getAttempt() + 1).toMillis(), key.ref(task.getAttempt()));
            ledger.progress(job, now);
            ledger.save(job);
            return;
        }
        task.setState(StageState.FAILED);
        tasks.put(key.toBytes(), task);
        taskEnded(run, definition, spec, task, job, ItemOutcome.FAILED, now, timestamp);
    }

    private void settle(TaskKey key, TaskRun task, TaskResult result, String output, boolean late) {
        task.setState(stateOf(result.getOutcome()));
        task.setLate(late);
        if (result.getOutcome() == ItemOutcome.FAILED) {
            TaskError error = result.getError();
            task.setError(error == null ? "unknown: the worker gave no reason" : error.getCode() + ": " + error.getMessage());
        } else {
            task.setError(null);
            task.setOutput(output);
        }
        tasks.put(key.toBytes(), task);
    }

    /** The result's output as JSON text, or null when it has none. */
    private String output(StageSpec spec, TaskResult result) {
        if (result.getOutput() == null) {
            return null;
        }
        ByteBuffer buffer = result.getOutput().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return codec.decodeOutput(spec.task(), bytes).toString();
    }

    private void taskEnded(JobRun run, PipelineDefinition definition, StageSpec spec, TaskRun task, JobStatus job,
                           ItemOutcome outcome, long now, long timestamp) {
        StageRun stage = stageRun(run, spec.id());
        Instant at = Instant.ofEpochMilli(now);
        ledger.progress(job, now);
        if (spec.fansOut()) {
            count(job, stage, outcome, 1);
            updateFanOutStatus(job, stage, at);
            if (stage.getSucceeded() + stage.getFailed() + stage.getSkipped() < stage.getItems().size()) {
                runs.put(run.getJobId(), run);
                ledger.save(job);
                return;
            }
            boolean allFailed = stage.getFailed() == stage.getItems().size();
            endStage(run, definition, spec, job, allFailed ? StageState.FAILED : StageState.SUCCEEDED,
                    allFailed ? "all %d elements failed; last: %s".formatted(stage.getFailed(), task.getError())
                            : stage.getFailed() > 0 ? "%d of %d elements failed".formatted(stage.getFailed(), stage.getItems().size()) : null,
                    now, timestamp);
            return;
        }
        endStage(run, definition, spec, job, stateOf(outcome), outcome == ItemOutcome.FAILED ? task.getError()
                : outcome == ItemOutcome.SUCCEEDED ? detail(run, definition, spec, task, job) : null, now, timestamp);
    }

    /** The stage's declared detail, built with its own output; null without one, or when it cannot be built. */
    private String detail(JobRun run, PipelineDefinition definition, StageSpec spec, TaskRun task, JobStatus job) {
        if (spec.detail() == null) {
            return null;
        }
        ExpressionScope scope = scope(run, definition, job);
        if (task.getOutput() != null) {
            scope = scope.withOutput(spec.id(), readJson(task.getOutput()));
        }
        try {
            JsonNode detail = Expressions.evaluate(spec.detail(), scope);
            return detail == null || detail.isNull() ? null : detail.isTextual() ? detail.asText() : detail.toString();
        } catch (ExpressionException e) {
            // A detail is for people: an output without the field it reads leaves the stage without one.
            return null;
        }
    }

    /**
     * The definition's result fields, each evaluated over every ended stage's output; a field that reads what is not
     * there (a skipped stage, a missing output field) is null, as a stage's detail is.
     */
    private ObjectNode result(JobRun run, PipelineDefinition definition, JobStatus job) {
        ExpressionScope scope = scope(run, definition, job);
        ObjectNode result = JSON.createObjectNode();
        definition.result().forEach((field, expression) -> {
            try {
                result.set(field, Expressions.evaluate(expression, scope));
            } catch (ExpressionException e) {
                result.putNull(field);
            }
        });
        return result;
    }

    private void endStage(JobRun run, PipelineDefinition definition, StageSpec spec, JobStatus job, StageState state,
                          String detail, long now, long timestamp) {
        StageRun stage = stageRun(run, spec.id());
        stage.setState(state);
        stage.setError(state == StageState.FAILED ? detail : null);
        StageStatus status = stageStatus(job, spec.id());
        Instant at = Instant.ofEpochMilli(now);
        status.setState(state);
        status.setEndedAt(at);
        status.setUpdatedAt(at);
        if (status.getStartedAt() == null) {
            status.setStartedAt(at);
        }
        if (!spec.fansOut()) {
            status.setDone(1);
            status.setTotal(1L);
        }
        status.setDetail(detail);
        runs.put(run.getJobId(), run);
        if (state == StageState.FAILED && spec.onFailure() == OnFailure.FAIL) {
            end(run, job, JobState.FAILED, "stage %s failed: %s".formatted(spec.id(), detail), now, timestamp);
            return;
        }
        advance(run, definition, job, now, timestamp);
    }

    /** Dispatches every stage whose dependencies have all ended, and ends the job when every stage has. */
    private void advance(JobRun run, PipelineDefinition definition, JobStatus job, long now, long timestamp) {
        boolean dispatched = true;
        while (dispatched && run.getEndedAs() == null) {
            dispatched = false;
            for (StageSpec spec : definition.stages()) {
                StageRun stage = stageRun(run, spec.id());
                if (stage.getState() == StageState.PENDING && dependenciesEnded(run, spec)) {
                    dispatchStage(run, definition, spec, stage, job, now, timestamp);
                    dispatched = true;
                    // A stage can end as it starts (an empty fan-out, a bad input), which may free further stages.
                    break;
                }
            }
        }
        if (run.getEndedAs() != null) {
            return;
        }
        if (run.getStages().stream().allMatch(stage -> isTerminal(stage.getState()))) {
            end(run, job, hasFailures(run) ? JobState.COMPLETED_WITH_FAILURES : JobState.COMPLETED, null, now, timestamp);
            return;
        }
        runs.put(run.getJobId(), run);
        ledger.publishNow(job, timestamp);
    }

    private void dispatchStage(JobRun run, PipelineDefinition definition, StageSpec spec, StageRun stage,
                               JobStatus job, long now, long timestamp) {
        StageStatus status = stageStatus(job, spec.id());
        Instant at = Instant.ofEpochMilli(now);
        status.setStartedAt(at);
        status.setUpdatedAt(at);
        status.setState(StageState.RUNNING);
        stage.setState(StageState.RUNNING);
        ExpressionScope scope = scope(run, definition, job);
        Map<String, JsonNode> elements;
        try {
            elements = spec.fansOut() ? elements(spec, scope) : null;
        } catch (ExpressionException e) {
            endStage(run, definition, spec, job, StageState.FAILED, BAD_INPUT + ": " + e.getMessage(), now, timestamp);
            return;
        }
        if (elements == null) {
            TaskKey key = new TaskKey(run.getJobId(), spec.id(), null);
            TaskRun task = newTask(spec, scope, now);
            tasks.put(key.toBytes(), task);
            send(run, definition, spec, key, task, job, now, timestamp);
            return;
        }
        stage.setItems(new ArrayList<>(elements.keySet()));
        status.setTotal((long) elements.size());
        job.setExpectedCount((job.getExpectedCount() == null ? 0 : job.getExpectedCount()) + elements.size());
        if (elements.isEmpty()) {
            endStage(run, definition, spec, job, StageState.SUCCEEDED, "no elements", now, timestamp);
            return;
        }
        runs.put(run.getJobId(), run);
        String name = spec.forEach().as();
        for (Map.Entry<String, JsonNode> element : elements.entrySet()) {
            TaskKey key = new TaskKey(run.getJobId(), spec.id(), element.getKey());
            TaskRun task = newTask(spec, scope.withElement(name, element.getValue()), now);
            tasks.put(key.toBytes(), task);
            send(run, definition, spec, key, task, job, now, timestamp);
            if (run.getEndedAs() != null) {
                return;
            }
        }
    }

    /** The fan-out's elements by key, in list order; an element whose key repeats an earlier one is the same item. */
    private static Map<String, JsonNode> elements(StageSpec spec, ExpressionScope scope) {
        JsonNode list = Expressions.evaluate(spec.forEach().items(), scope);
        if (!list.isArray()) {
            throw new ExpressionException("forEach.items of stage %s gave %s, not a list"
                    .formatted(spec.id(), list.getNodeType()));
        }
        Map<String, JsonNode> elements = new LinkedHashMap<>();
        for (JsonNode element : list) {
            JsonNode key = Expressions.evaluate(spec.forEach().itemKey(), scope.withElement(spec.forEach().as(), element));
            if (!key.isValueNode() || key.isNull() || key.asText().isEmpty()) {
                throw new ExpressionException("forEach.itemKey of stage %s gave %s for element %s, not a non-empty value"
                        .formatted(spec.id(), key, element));
            }
            elements.putIfAbsent(key.asText(), element);
        }
        return elements;
    }

    private TaskRun newTask(StageSpec spec, ExpressionScope scope, long now) {
        TaskRun.Builder task = TaskRun.newBuilder().setAttempt(1).setState(StageState.RUNNING)
                .setDispatchedAt(Instant.ofEpochMilli(now));
        try {
            return task.setInput(JSON.writeValueAsString(Expressions.evaluate(spec.input(), scope))).build();
        } catch (ExpressionException | JsonProcessingException e) {
            // An empty input: the send fails the attempt with this reason, and the stage's retry policy applies.
            return task.setInput("").setError(e.getMessage()).build();
        }
    }

    private void send(JobRun run, PipelineDefinition definition, StageSpec spec, TaskKey key, TaskRun task,
                      JobStatus job, long now, long timestamp) {
        Instant at = Instant.ofEpochMilli(now);
        task.setState(StageState.RUNNING);
        task.setDispatchedAt(at);
        byte[] input;
        try {
            if (task.getInput().isEmpty()) {
                throw new TaskCodec.TaskCodecException(task.getError(), null);
            }
            input = codec.encodeInput(spec.task(), JSON.readTree(task.getInput()));
        } catch (TaskCodec.TaskCodecException | JsonProcessingException e) {
            tasks.put(key.toBytes(), task);
            // Retried like a worker's failure: a worker that registers the task type's schema late gets its chance.
            failAttempt(run, definition, spec, key, task, job, new TaskError(BAD_INPUT, e.getMessage(), true), now, timestamp);
            return;
        }
        tasks.put(key.toBytes(), task);
        Instant deadline = at.plus(timeout(spec));
        ledger.dispatch(new TaskRequest(run.getJobId(), run.getPipeline(), run.getVersion(), spec.id(), key.itemId(),
                task.getAttempt(), spec.task(), input, at, deadline), timestamp);
        ledger.armTaskTimeout(deadline.toEpochMilli(), key.ref(task.getAttempt()));
    }

    private void end(JobRun run, JobStatus job, JobState state, String reason, long now, long timestamp) {
        run.setEndedAs(state);
        runs.put(run.getJobId(), run);
        boolean succeeded = state == JobState.COMPLETED || state == JobState.COMPLETED_WITH_FAILURES;
        if (succeeded && job.getCachedFrom() == null) {
            PipelineDefinition definition = definitionOf(run);
            if (!definition.result().isEmpty()) {
                JobResults.Stored stored = results.store(run.getJobId(), result(run, definition, job));
                job.setResult(stored.inline());
                job.setResultRef(stored.reference());
            }
            if (state == JobState.COMPLETED && definition.cache() != null) {
                Instant at = Instant.ofEpochMilli(now);
                ledger.cacheResult(ResultCache.key(definition, run.getParameters()), CachedResult.newBuilder()
                        .setPipeline(definition.name())
                        .setVersion(definition.version())
                        .setKeyParameters(definition.cache().keyParameters(run.getParameters()))
                        .setJobId(run.getJobId())
                        .setCompletedAt(at)
                        .setExpiresAt(at.plus(definition.cache().ttl()))
                        .setResult(job.getResult())
                        .setResultRef(job.getResultRef())
                        .build(), timestamp);
            }
        }
        closeOpenStages(job, state, now);
        ledger.end(job, state, reason, now, timestamp);
        stopWorkers(run.getJobId(), state, reason, now);
    }

    /** Stages that never ran are SKIPPED; a stage still running when the job failed or was stopped is FAILED. */
    private static void closeOpenStages(JobStatus job, JobState state, long now) {
        Instant at = Instant.ofEpochMilli(now);
        for (StageStatus stage : job.getStages()) {
            if (stage.getState() == StageState.PENDING) {
                stage.setState(StageState.SKIPPED);
                stage.setEndedAt(at);
            } else if (stage.getState() == StageState.RUNNING) {
                stage.setState(StageState.FAILED);
                stage.setEndedAt(at);
                stage.setDetail(Stages.stoppedByJobEnd(state));
            }
        }
    }

    private void stopWorkers(String jobId, JobState state, String reason, long now) {
        if (state != JobState.COMPLETED && state != JobState.COMPLETED_WITH_FAILURES) {
            ledger.cancelled(new JobCancelled(jobId, reason, Instant.ofEpochMilli(now)), now);
        }
    }

    private ExpressionScope scope(JobRun run, PipelineDefinition definition, JobStatus job) {
        ExpressionScope scope = ExpressionScope.forJob(run.getJobId(), run.getPipeline(),
                RunParameters.typed(definition, run.getParameters()));
        for (StageSpec spec : definition.stages()) {
            StageRun stage = stageRun(run, spec.id());
            if (!isTerminal(stage.getState())) {
                continue;
            }
            if (spec.fansOut()) {
                List<JsonNode> outputs = new ArrayList<>();
                for (String item : stage.getItems()) {
                    TaskRun task = tasks.get(new TaskKey(run.getJobId(), spec.id(), item).toBytes());
                    if (task != null && task.getOutput() != null) {
                        outputs.add(readJson(task.getOutput()));
                    }
                }
                scope = scope.withElementOutputs(spec.id(), outputs);
            } else {
                TaskRun task = tasks.get(new TaskKey(run.getJobId(), spec.id(), null).toBytes());
                if (task != null && task.getOutput() != null) {
                    scope = scope.withOutput(spec.id(), readJson(task.getOutput()));
                }
            }
        }
        return scope;
    }

    private PipelineDefinition definitionOf(JobRun run) {
        return definitions.version(run.getPipeline(), run.getVersion()).orElseThrow(() -> new IllegalStateException(
                "Pipeline %s v%d, which job %s runs on, is not in the definitions topic any more"
                        .formatted(run.getPipeline(), run.getVersion(), run.getJobId())));
    }

    private Duration timeout(StageSpec spec) {
        return spec.timeout() != null ? spec.timeout() : settings.defaultTaskTimeout();
    }

    private boolean dependenciesEnded(JobRun run, StageSpec spec) {
        return spec.dependsOn().stream().allMatch(id -> isTerminal(stageRun(run, id).getState()));
    }

    private static boolean hasFailures(JobRun run) {
        return run.getStages().stream().anyMatch(stage -> stage.getState() == StageState.FAILED || stage.getFailed() > 0);
    }

    private static void count(JobStatus job, StageRun stage, ItemOutcome outcome, int delta) {
        JobCounts.add(job, outcome, delta);
        switch (outcome) {
            case SUCCEEDED -> stage.setSucceeded(stage.getSucceeded() + delta);
            case FAILED -> stage.setFailed(stage.getFailed() + delta);
            case SKIPPED -> stage.setSkipped(stage.getSkipped() + delta);
        }
    }

    private static void updateFanOutStatus(JobStatus job, StageRun stage, Instant at) {
        StageStatus status = stageStatus(job, stage.getId());
        status.setDone(stage.getSucceeded() + stage.getFailed() + stage.getSkipped());
        status.setUpdatedAt(at);
    }

    private static StageRun stageRun(JobRun run, String id) {
        for (StageRun stage : run.getStages()) {
            if (stage.getId().equals(id)) {
                return stage;
            }
        }
        throw new IllegalStateException("Job " + run.getJobId() + " has no stage " + id);
    }

    private static StageStatus stageStatus(JobStatus job, String id) {
        for (StageStatus stage : job.getStages()) {
            if (stage.getName().equals(id)) {
                return stage;
            }
        }
        StageStatus added = StageStatus.newBuilder().setName(id).setState(StageState.PENDING).setDone(0).build();
        job.getStages().add(added);
        return added;
    }

    private static String sourceRef(PipelineDefinition definition, PipelineTriggered trigger) {
        StringBuilder ref = new StringBuilder(definition.name());
        trigger.getParameters().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(parameter -> ref.append(ref.length() == definition.name().length() ? "?" : "&")
                        .append(parameter.getKey()).append('=').append(parameter.getValue()));
        return ref.toString();
    }

    private static boolean isTerminal(StageState state) {
        return state == StageState.SUCCEEDED || state == StageState.FAILED || state == StageState.SKIPPED;
    }

    private static StageState stateOf(ItemOutcome outcome) {
        return switch (outcome) {
            case SUCCEEDED -> StageState.SUCCEEDED;
            case FAILED -> StageState.FAILED;
            case SKIPPED -> StageState.SKIPPED;
        };
    }

    private static ItemOutcome outcomeOf(StageState state) {
        return switch (state) {
            case SUCCEEDED -> ItemOutcome.SUCCEEDED;
            case FAILED -> ItemOutcome.FAILED;
            case SKIPPED -> ItemOutcome.SKIPPED;
            default -> throw new IllegalStateException("not terminal: " + state);
        };
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored task output is not JSON", e);
        }
    }
}
