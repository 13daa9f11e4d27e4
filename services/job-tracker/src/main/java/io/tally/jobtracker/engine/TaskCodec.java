package io.tally.jobtracker.engine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns the engine's JSON view of a task's input and output into each task type's Avro contract and back. The
 * registry-backed implementation is {@link RegistryTaskCodec}; topology tests use one with in-memory schemas.
 */
public interface TaskCodec {

    /**
     * The input for {@code taskType} in the registry wire format.
     *
     * @throws TaskCodecException when the task type has no input schema or the input does not fit it
     */
    byte[] encodeInput(String taskType, JsonNode input);

    /**
     * A task's output, read back as JSON.
     *
     * @throws TaskCodecException when the bytes cannot be read
     */
    JsonNode decodeOutput(String taskType, byte[] output);

    /** Why an input or output could not be converted; the engine fails the attempt with it. */
    final class TaskCodecException extends RuntimeException {

        public TaskCodecException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
