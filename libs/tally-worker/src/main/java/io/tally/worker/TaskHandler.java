package io.tally.worker;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a worker does for one task type: declare one as a bean and the SDK consumes {@code tally.tasks.<type>}, runs
 * {@link #handle} for each request and writes the {@code TaskResult} (see libs/tally-worker/README.md):
 * <pre>{@code
 * @Bean
 * TaskHandler<TranscribeInput, TranscribeOutput> transcribe() {
 *     return TaskHandler.of("transcribe", TranscribeInput.class, (input, ctx) -> new TranscribeOutput(...));
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

    /** Does the work; runs on a task thread of its own, never on a consumer thread. */
    O handle(I input, TaskContext context) throws Exception;

    /** The work of a task as a lambda. */
    @FunctionalInterface
    interface Work<I, O> {
        O run(I input, TaskContext context) throws Exception;
    }

    /** A handler of {@code taskType} that runs {@code work}. */
    static <I extends SpecificRecord, O extends SpecificRecord> TaskHandler<I, O> of(String taskType, Class<I> inputType,
                                                                                  Work<I, O> work) {
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
