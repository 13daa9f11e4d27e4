package io.tally.jobtracker.engine;

import io.tally.common.tasks.TaskHeaders;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/**
 * One dispatched attempt of a task: its typed input in the registry wire format and its CloudEvents metadata
 * (ADR 0016).
 *
 * @param jobId    the job, also the record key
 * @param pipeline the job's pipeline
 * @param version  the definition version the job runs
 * @param stage    the stage id
 * @param itemId   the fan-out element's key, or null for a single task
 * @param attempt  the engine's attempt number, from 1
 * @param taskType the task type, which names the topic
 * @param input    the encoded input
 * @param sentAt   the dispatch time
 * @param deadline when the attempt times out at the engine
 */
public record TaskRequest(String jobId, String pipeline, int version, String stage, String itemId, int attempt,
                          String taskType, byte[] input, Instant sentAt, Instant deadline) {

    /** The request's topic. */
    public String topic() {
        return TaskHeaders.requestTopic(taskType);
    }

    /** The CloudEvents binary-mode headers with Tally's extensions. */
    public Headers headers() {
        return TaskHeaders.requestHeaders(taskType, jobId, stage, itemId, attempt,
                "tally/pipelines/" + pipeline + "/" + version, sentAt, deadline);
    }
}
