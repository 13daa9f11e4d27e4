package io.tally.jobtracker.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.artifacts.FileArtifactStore;
import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.CachedResult;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobCancelled;
import io.tally.events.JobCompleted;
import io.tally.events.JobPurgeRequested;
import io.tally.events.JobStatus;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageReported;
import io.tally.events.TaskError;
import io.tally.events.TaskResult;
import io.tally.jobtracker.EngineProperties;
import io.tally.jobtracker.JobTrackerTopology;
import io.tally.jobtracker.TrackerProperties;
import io.tally.testsupport.TallyTopologyDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Drives the tracker's topology as the pipeline engine: publishes definitions, triggers runs, answers the task
 * requests it reads back from the task topics, and collects completions, statuses and cancellations. Task values are
 * plain JSON here ({@link JsonTaskCodec}); the registry codec is exercised on a real registry by the integration test.
 */
final class EngineDriver implements AutoCloseable {

    static final Instant START = TallyTopologyDriver.START;
    private static final ObjectMapper JSON = new ObjectMapper();

    final TallyTopologyDriver tally;
    private final TestInputTopic<String, PipelineDefinitionPublished> definitions;
    private final TestInputTopic<String, PipelineTriggered> triggers;
    private final TestInputTopic<String, TaskResult> results;
    private final TestInputTopic<String, JobCancelRequested> cancels;
    /** The tracker's own inputs, which an engine job must not take. */
    final TestInputTopic<String, StageReported> stages;
    final TestInputTopic<String, ItemProcessed> items;
    private final TestOutputTopic<String, JobCompleted> completed;
    private final TestOutputTopic<String, JobStatus> status;
    private final TestOutputTopic<String, JobCancelled> cancelled;
    private final TestOutputTopic<String, byte[]> deadLetters;
    private final Map<String, TestOutputTopic<String, byte[]>> taskTopics = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<JobCompleted> completions = new ArrayList<>();
    private final Map<String, JobStatus> statuses = new HashMap<>();

    private final TestOutputTopic<String, CachedResult> cache;
    private final TestInputTopic<String, JobPurgeRequested> purges;
    private final List<TestRecord<String, CachedResult>> cacheRecords = new ArrayList<>();

    EngineDriver() {
        this(EngineProperties.defaults(), new FileArtifactStore(Path.of(System.getProperty("java.io.tmpdir"),
                "tally-engine-driver-artifacts")));
    }

    /** A driver whose engine has these limits and keeps results by reference in {@code artifacts}. */
    EngineDriver(EngineProperties engine, ArtifactStore artifacts) {
        TrackerProperties config = TrackerProperties.defaults();
        tally = new TallyTopologyDriver("job-tracker", Topics.JOB_TRACKER_DLT,
                (properties, serdes, meters) -> JobTrackerTopology.build(config, serdes, meters, new JsonTaskCodec(),
                        engine, artifacts));
        definitions = tally.input(Topics.PIPELINE_DEFINITIONS);
        triggers = tally.input(Topics.PIPELINE_TRIGGERS);
        results = tally.input(Topics.TASK_RESULTS);
        cancels = tally.input(Topics.JOB_CANCEL_REQUESTS);
        stages = tally.input(Topics.STAGE_REPORTED);
        items = tally.input(Topics.ITEM_PROCESSED);
        completed = tally.output(Topics.JOB_COMPLETED);
        status = tally.output(Topics.JOB_STATUS);
        cancelled = tally.output(Topics.JOBS_CANCELLED);
        deadLetters = tally.rawOutput(Topics.JOB_TRACKER_DLT);
        cache = tally.output(Topics.RESULT_CACHE);
        purges = tally.input(Topics.JOB_PURGE_REQUESTS);
    }

    /** An admin's purge of the job, as deep cleanup sends it. */
    void purge(String jobId) {
        purges.pipeInput(jobId, JobPurgeRequested.newBuilder().setJobId(jobId).setRequestedBy("ops")
                .setRequestedAt(START).setReason("cleanup?deep=true").build());
    }

    /** Every record written to the result cache topic so far, tombstones included, in order. */
    List<TestRecord<String, CachedResult>> cacheRecords() {
        cacheRecords.addAll(cache.readRecordsToList());
        return List.copyOf(cacheRecords);
    }

    /** Publishes one definition version, as the engine's publisher does. */
    void publish(String yaml) {
        var definition = io.tally.pipeline.PipelineLoader.load("test.yml", yaml);
        definitions.pipeInput(PublishedDefinitions.key(definition.name(), definition.version()),
                PublishedDefinitions.of(definition, START));
    }

    /** Triggers a run; the job id is {@code job-<triggerId>}. */
    String trigger(String pipeline, String triggerId, Map<String, String> parameters) {
        return trigger(pipeline, triggerId, parameters, null);
    }

    /** Triggers a manual run asked for by {@code requestedBy}; the job id is {@code job-<triggerId>}. */
    String trigger(String pipeline, String triggerId, Map<String, String> parameters, String requestedBy) {
        String jobId = "job-" + triggerId;
        triggers.pipeInput(triggerId, PipelineTriggered.newBuilder().setTriggerId(triggerId).setJobId(jobId)
                .setPipeline(pipeline).setTriggeredAt(START).setParameters(parameters).setRequestedBy(requestedBy)
                .build());
        return jobId;
    }

    void cancel(String jobId, String reason) {
        cancels.pipeInput(jobId, JobCancelRequested.newBuilder().setJobId(jobId).setRequestedBy("test").setReason(reason)
                .setRequestedAt(START).build());
    }

    /** Every task request dispatched since the last call, in dispatch order, for the given task types. */
    List<Request> dispatched(String... taskTypes) {
        List<Request> fresh = new ArrayList<>();
        for (String type : taskTypes) {
            TestOutputTopic<String, byte[]> topic = taskTopics.computeIfAbsent(type, t -> tally.driver().createOutputTopic(
                    TaskHeaders.requestTopic(t), new StringDeserializer(), new ByteArrayDeserializer()));
            for (TestRecord<String, byte[]> record : topic.readRecordsToList()) {
                fresh.add(Request.of(record));
            }
        }
        requests.addAll(fresh);
        return fresh;
    }

    void succeed(Request request, String outputJson) {
        answer(request, ItemOutcome.SUCCEEDED, outputJson == null ? null : outputJson.getBytes(StandardCharsets.UTF_8), null);
    }

    void fail(Request request, String code, boolean retryable) {
        answer(request, ItemOutcome.FAILED, null, new TaskError(code, code + " happened", retryable));
    }

    void answer(Request request, ItemOutcome outcome, byte[] output, TaskError error) {
        results.pipeInput(request.jobId(), TaskResult.newBuilder().setTaskId(request.id()).setJobId(request.jobId())
                .setStage(request.stage()).setItemId(request.item()).setAttempt(request.attempt())
                .setTaskType(request.taskType()).setOutcome(outcome).setOutput(output == null ? null : ByteBuffer.wrap(output))
                .setError(error).setEndedAt(START).build());
    }

    void advance(Duration duration) {
        tally.advance(duration);
    }

    /** Every completion of the job seen so far. */
    List<JobCompleted> completions(String jobId) {
        completed.readValuesToList().forEach(completions::add);
        return completions.stream().filter(done -> done.getJobId().equals(jobId)).toList();
    }

    /** The job's latest published status, after the status tick. */
    JobStatus status(String jobId) {
        advance(Duration.ofSeconds(1));
        status.readRecordsToList().forEach(record -> statuses.put(record.key(), record.value()));
        return statuses.get(jobId);
    }

    List<JobCancelled> cancellations() {
        return cancelled.readValuesToList();
    }

    List<TestRecord<String, byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    @Override
    public void close() {
        tally.close();
    }

    /** A task request as a worker sees it: its headers and its JSON input. */
    record Request(String id, String jobId, String stage, String item, int attempt, String taskType, JsonNode input,
                   Map<String, String> headers) {

        static Request of(TestRecord<String, byte[]> record) {
            Map<String, String> headers = new HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            try {
                return new Request(headers.get(TaskHeaders.CE_ID), headers.get(TaskHeaders.JOB),
                        headers.get(TaskHeaders.STAGE), headers.get(TaskHeaders.ITEM),
                        Integer.parseInt(headers.get(TaskHeaders.ATTEMPT)), headers.get(TaskHeaders.TASK_TYPE),
                        JSON.readTree(record.value()), headers);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Task values as JSON bytes; a task type named {@code unregistered} has no input schema. */
    static final class JsonTaskCodec implements TaskCodec {

        @Override
        public byte[] encodeInput(String taskType, JsonNode input) {
            if (taskType.equals("unregistered")) {
                throw new TaskCodecException("no input schema is registered for " + taskType, null);
            }
            return input.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public JsonNode decodeOutput(String taskType, byte[] output) {
            try {
                return JSON.readTree(output);
            } catch (IOException e) {
                throw new TaskCodecException("not JSON: " + e.getMessage(), e);
            }
        }
    }
}
