package io.tally.worker;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskError;
import io.tally.events.TaskProgress;
import io.tally.events.TaskResult;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Writes what tasks report: a {@code TaskResult} per attempt on {@code tally.tasks.results} and {@code TaskProgress}
 * on {@code tally.tasks.progress}, both keyed by job id, with the output framed in the registry's wire format under
 * {@code tally.tasks.<type>.output} (ADR 0016). Known gap: results are at-least-once, not in a transaction with the
 * consumed offset (Spring Kafka's retry topics cannot combine with container transactions, and the handler runs off
 * the consumer thread); a crash between the result and the offset commit writes the result again on redelivery,
 * and the engine counts each (job, stage, item) once.
 */
public final class TaskReports {

    private final KafkaTemplate<String, Object> template;
    private final Serializer<SpecificRecord> outputSerializer;
    private final String worker;
    private final Duration sendTimeout;
    private final Clock clock;

    public TaskReports(KafkaTemplate<String, Object> template, Serializer<SpecificRecord> outputSerializer, String worker,
                       Duration sendTimeout, Clock clock) {
        this.template = template;
        this.outputSerializer = outputSerializer;
        this.worker = worker;
        this.sendTimeout = sendTimeout;
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    void succeeded(TaskRequest request, SpecificRecord output, Instant startedAt) {
        send(Topics.TASK_RESULTS.name(), request.jobId(),
                result(request, ItemOutcome.SUCCEEDED, startedAt).setOutput(framed(request, output)).build());
    }

    /** A skipped task, with its reason and, when it has one, its output. */
    void skipped(TaskRequest request, TaskError reason, SpecificRecord output, Instant startedAt) {
        send(Topics.TASK_RESULTS.name(), request.jobId(), result(request, ItemOutcome.SKIPPED, startedAt)
                .setError(reason).setOutput(output == null ? null : framed(request, output)).build());
    }

    private ByteBuffer framed(TaskRequest request, SpecificRecord output) {
        return ByteBuffer.wrap(outputSerializer.serialize(TaskHeaders.outputSubject(request.taskType()), output));
    }

    void failed(TaskRequest request, TaskError error, Instant startedAt) {
        send(Topics.TASK_RESULTS.name(), request.jobId(),
                result(request, ItemOutcome.FAILED, startedAt).setError(error).build());
    }

    void progress(TaskRequest request, long done, Long total, String message) {
        send(Topics.TASK_PROGRESS.name(), request.jobId(), TaskProgress.newBuilder()
                .setTaskId(request.taskId()).setJobId(request.jobId()).setStage(request.stage())
                .setItemId(request.itemId()).setAttempt(request.attempt()).setDone(done).setTotal(total)
                .setMessage(message).setReportedAt(clock.instant()).build());
    }

    static TaskError error(String code, String message, boolean retryable) {
        return TaskError.newBuilder().setCode(code).setMessage(message == null ? code : message)
                .setRetryable(retryable).build();
    }

    private TaskResult.Builder result(TaskRequest request, ItemOutcome outcome, Instant startedAt) {
        return TaskResult.newBuilder().setTaskId(request.taskId()).setJobId(request.jobId())
                .setStage(request.stage()).setItemId(request.itemId()).setAttempt(request.attempt())
                .setTaskType(request.taskType()).setOutcome(outcome).setWorker(worker).setStartedAt(startedAt)
                .setEndedAt(clock.instant());
    }

    private void send(String topic, String key, Object value) {
        try {
            template.send(topic, key, value).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write to " + topic + ": " + e.getMessage(), e);
        }
    }
}
