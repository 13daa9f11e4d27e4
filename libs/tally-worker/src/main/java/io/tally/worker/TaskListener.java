package io.tally.worker;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.tasks.TaskHeaders;
import io.tally.worker.WorkerMetrics.Outcome;
import io.tally.worker.ratelimit.Throttle;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.retrytopic.RetryTopicHeaders;

/**
 * The listener of one task type's request topic, its retry topics ({@link #onTask}) and its dead-letter topic
 * ({@link #onDeadLetter}). {@link #onTask} returns at once with a future and runs the handler on a task thread:
 * Spring Kafka then acks the record when the future completes and pauses the consumer meanwhile, so the consumer
 * keeps polling and a task longer than {@code max.poll.interval.ms} keeps its partitions; with one record per poll,
 * each consumer thread runs one task at a time. A future that fails goes to the container's error handler, i.e. to
 * the next retry topic or the dead-letter topic. A request older than the type's maximum event age fails that way before
 * it runs ({@link MaxEventAgeExceededException}, which the chain sends straight to the dead-letter topic).
 *
 * @param <I> the handler's input type
 */
public final class TaskListener<I extends SpecificRecord> {

    /** Header the dead-letter hops carry with the {@link TaskFailedException#code()} of the last failure. */
    public static final String ERROR_CODE_HEADER = "tally_task-error-code";
    /** Error code of a task whose job was cancelled before it ran. */
    public static final String CANCELLED = "cancelled";
    /** Error code of a task that failed on every delivery without a {@link TaskFailedException}. */
    public static final String RETRIES_EXHAUSTED = "retries-exhausted";

    static final Method ON_TASK = method("onTask");
    static final Method ON_DEAD_LETTER = method("onDeadLetter");

    private static final Logger LOG = LoggerFactory.getLogger(TaskListener.class);

    private final TaskHandler<I, ?> handler;
    private final TaskReports reports;
    private final CancelledJobs cancelledJobs;
    private final WorkerMetrics metrics;
    private final Throttle throttle;
    private final Executor tasks;
    private final Duration maxEventAge;
    private final WorkerPool pool;

    TaskListener(TaskHandler<I, ?> handler, TaskReports reports, CancelledJobs cancelledJobs, WorkerMetrics metrics,
                 Throttle throttle, Executor tasks, Duration maxEventAge, WorkerPool pool) {
        this.pool = pool;
        this.handler = handler;
        this.reports = reports;
        this.cancelledJobs = cancelledJobs;
        this.metrics = metrics;
        this.throttle = throttle;
        this.tasks = tasks;
        this.maxEventAge = maxEventAge;
    }

    /** A request (or a retry of one): checked on the consumer thread, run on a task thread. */
    public CompletableFuture<Void> onTask(ConsumerRecord<String, I> record) {
        TaskRequest request;
        try {
            request = TaskRequest.from(record.headers(), handler.taskType());
            if (record.value() == null) {
                throw new PoisonRecordException("Task request " + request.taskId() + " has no value (tombstone)");
            }
        } catch (PoisonRecordException e) {
            // Spring Kafka wants a future even for a failure found before the work began.
            return CompletableFuture.failedFuture(e);
        }
        if (maxEventAge != null) {
            // Retry topics keep the request's ce_time, so a retry is as old as the request it retries.
            Duration age = Duration.between(eventTime(record), reports.now());
            if (age.compareTo(maxEventAge) > 0) {
                return CompletableFuture.failedFuture(new MaxEventAgeExceededException(request.taskId(), age, maxEventAge));
            }
        }
        int delivery = deliveryAttempt(record.headers());
        return CompletableFuture.runAsync(() -> {
            // The heartbeat shows the task from before its throttle wait until its result is written.
            pool.taskStarted(request.taskId());
            try {
                run(request, record.value(), delivery);
            } finally {
                pool.taskEnded(request.taskId());
            }
        }, tasks);
    }

    private void run(TaskRequest request, I input, int delivery) {
        String type = handler.taskType();
        Instant startedAt = reports.now();
        if (cancelledJobs.isCancelled(request.jobId())) {
            reports.skipped(request, TaskReports.error(CANCELLED, "job " + request.jobId() + " was cancelled", false), null,
                    startedAt);
            metrics.counted(type, Outcome.SKIPPED);
            return;
        }
        if (throttle != null) {
            throttle.acquire();
        }
        var inFlight = metrics.inFlight(type);
        inFlight.incrementAndGet();
        SpecificRecord output;
        try {
            output = handler.handle(input, new RunningTask(request, delivery));
        } catch (TaskSkippedException e) {
            reports.skipped(request, TaskReports.error(TaskSkippedException.CODE, e.getMessage(), false), e.output(),
                    startedAt);
            metrics.counted(type, Outcome.SKIPPED);
            return;
        } catch (TaskFailedException e) {
            if (e.retryable()) {
                metrics.counted(type, Outcome.RETRIED);
                throw e;
            }
            reports.failed(request, TaskReports.error(e.code(), e.getMessage(), false), startedAt);
            metrics.counted(type, Outcome.FAILED);
            return;
        } catch (RuntimeException e) {
            metrics.counted(type, Outcome.RETRIED);
            throw e;
        } catch (Exception e) {
            metrics.counted(type, Outcome.RETRIED);
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            inFlight.decrementAndGet();
            metrics.ran(type, Duration.between(startedAt, reports.now()));
        }
        if (output == null) {
            reports.skipped(request, null, null, startedAt);
            metrics.counted(type, Outcome.SKIPPED);
        } else {
            reports.succeeded(request, output, startedAt);
            metrics.counted(type, Outcome.SUCCEEDED);
        }
    }

    /**
     * A request that failed on its last delivery, or could not be read: the engine gets a FAILED result with the
     * last failure's code and reason at once. A record without task metadata cannot be answered; it stays in the
     * dead-letter topic with its reason.
     */
    public void onDeadLetter(ConsumerRecord<String, Object> record) {
        String reason = DeadLetterHeaders.reason(record.headers());
        TaskRequest request;
        try {
            request = TaskRequest.from(record.headers(), handler.taskType());
        } catch (PoisonRecordException e) {
            metrics.counted(handler.taskType(), Outcome.POISON);
            LOG.warn("Dead-lettered record at {}-{}@{} is no task request ({}): {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage(), reason);
            return;
        }
        Header code = record.headers().lastHeader(ERROR_CODE_HEADER);
        String errorCode = code == null ? RETRIES_EXHAUSTED : new String(code.value(), StandardCharsets.UTF_8);
        // A request too old to run stays too old: the engine must not try it again either.
        boolean retryable = !MaxEventAgeExceededException.CODE.equals(errorCode);
        LOG.warn("Task {} failed on its last delivery: {}", request.taskId(), reason);
        reports.failed(request, TaskReports.error(errorCode, reason, retryable), null);
        metrics.counted(handler.taskType(), Outcome.FAILED);
    }

    /** The extra dead-letter header of a failure: the code of a {@link TaskFailedException} among its causes. */
    static String errorCode(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof TaskFailedException failed) {
                return failed.code();
            }
        }
        return null;
    }

    /** When the request was made: its {@code ce_time}, else (a producer without it) the record's timestamp. */
    static Instant eventTime(ConsumerRecord<?, ?> record) {
        Header time = record.headers().lastHeader(TaskHeaders.CE_TIME);
        if (time != null && time.value() != null) {
            try {
                return Instant.parse(new String(time.value(), StandardCharsets.UTF_8));
            } catch (DateTimeParseException e) {
                LOG.debug("Unreadable {} on {}-{}@{}; the record timestamp is the event time", TaskHeaders.CE_TIME,
                        record.topic(), record.partition(), record.offset());
            }
        }
        return Instant.ofEpochMilli(record.timestamp());
    }

    /** 1 on the request topic, then Spring's attempts header on each retry topic. */
    static int deliveryAttempt(Headers headers) {
        Header header = headers.lastHeader(RetryTopicHeaders.DEFAULT_HEADER_ATTEMPTS);
        if (header == null || header.value() == null || header.value().length != Integer.BYTES) {
            return 1;
        }
        return Math.max(1, ByteBuffer.wrap(header.value()).getInt());
    }

    private static Method method(String name) {
        for (Method method : TaskListener.class.getMethods()) {
            if (method.getName().equals(name)) {
                return method;
            }
        }
        throw new IllegalStateException("no method " + name);
    }

    /** The context of one running task. */
    private final class RunningTask implements TaskContext {

        private final TaskRequest request;
        private final int delivery;

        RunningTask(TaskRequest request, int delivery) {
            this.request = request;
            this.delivery = delivery;
        }

        @Override
        public String taskId() {
            return request.taskId();
        }

        @Override
        public String jobId() {
            return request.jobId();
        }

        @Override
        public String stage() {
            return request.stage();
        }

        @Override
        public String itemId() {
            return request.itemId();
        }

        @Override
        public int attempt() {
            return request.attempt();
        }

        @Override
        public int deliveryAttempt() {
            return delivery;
        }

        @Override
        public Instant deadline() {
            return request.deadline();
        }

        @Override
        public void progress(long done, Long total, String message) {
            reports.progress(request, done, total, message);
        }

        @Override
        public boolean cancelled() {
            return cancelledJobs.isCancelled(request.jobId());
        }
    }
}
