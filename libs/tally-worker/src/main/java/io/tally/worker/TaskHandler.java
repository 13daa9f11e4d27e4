package io.tally.worker;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a worker does for one task type: declare one as a bean and the SDK consumes {@code tally.tasks.<type>}, runs
 * {@link #handle} for each request and writes the {@code TaskResult} (see libs/tally-worker/README.md):
 * <pre>{@code
 * @Bean
 * TaskHandler<TranscribeInput, TranscribeOutput> transcribe() {
 *     return TaskHandler.of("transcribe", TranscribeInput.class, TranscribeOutput.class,
 *             (input, ctx) -> new TranscribeOutput(...));
 * }
 * }</pre>
 * A handler returns its output (SUCCEEDED), null when there is nothing to do (SKIPPED), throws
 * {@link TaskFailedException} with {@code retryable=false} to fail at once, or throws anything else to be retried.
 *
 * @param <I> the task's input record (the request topic's value)
 * @param <O> the task's output record (framed into {@code TaskResult.output})
 */
public interface TaskHandler<I extends SpecificRecord, O extends SpecificRecord> {

    /** The task type, such as {@code transcribe}: requests come from {@code tally.tasks.<type>}. */
    String taskType();

    /** The Avro class of the request values. */
    Class<I> inputType();

    /**
     * The Avro class of the outputs, registered under {@code tally.tasks.<type>.output} at start-up with the input;
     * null when the handler did not say (the output is then registered with the first result).
     */
    default Class<O> outputType() {
        return null;
    }

    /** Does the work; runs on a task thread of its own, never on a consumer thread. */
    O handle(I input, TaskContext context) throws Exception;

    /** The work of a task as a lambda. */
    @FunctionalInterface
    interface Work<I, O> {
        O run(I input, TaskContext context) throws Exception;
    }

    /**
     * A handler of {@code taskType} that runs {@code work}; its output schema is registered with the first result.
     * Prefer {@link #of(String, Class, Class, Work)}, which registers the whole contract before the first request.
     */
    static <I extends SpecificRecord, O extends SpecificRecord> TaskHandler<I, O> of(String taskType, Class<I> inputType,
                                                                                  Work<I, O> work) {
        return of(taskType, inputType, null, work);
    }

    /**
     * A handler of {@code taskType} that runs {@code work}, whose input and output schemas the SDK registers at
     * start-up, before its listeners start (ADR 0011: contracts before producers; the engine produces the requests).
     */
    static <I extends SpecificRecord, O extends SpecificRecord> TaskHandler<I, O> of(String taskType, Class<I> inputType,
                                                                                  Class<O> outputType, Work<I, O> work) {
        Objects.requireNonNull(work, "work");
        if (taskType == null || !taskType.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("a task type is lower-case letters, digits and dashes; got '" + taskType + "'");
        }
        Objects.requireNonNull(inputType, "inputType");
        return new TaskHandler<>() {
            @Override
            public String taskType() {
                return taskType;
            }

            @Override
            public Class<I> inputType() {
                return inputType;
            }

            @Override
            public Class<O> outputType() {
                return outputType;
            }

            @Override
            public O handle(I input, TaskContext context) throws Exception {
                return work.run(input, context);
            }

            @Override
            public String toString() {
                return "TaskHandler[" + taskType + "]";
            }
        };
    }
}
