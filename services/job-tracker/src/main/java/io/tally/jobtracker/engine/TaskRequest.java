package io.tally.jobtracker.engine;

import io.tally.common.tasks.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

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
        RecordHeaders headers = new RecordHeaders();
        add(headers, TaskHeaders.CE_SPECVERSION, TaskHeaders.SPEC_VERSION);
        add(headers, TaskHeaders.CE_ID, TaskHeaders.taskId(jobId, stage, itemId, attempt));
        add(headers, TaskHeaders.CE_SOURCE, "tally/pipelines/" + pipeline + "/" + version);
        add(headers, TaskHeaders.CE_TYPE, TaskHeaders.TYPE_REQUESTED);
        add(headers, TaskHeaders.CE_SUBJECT, TaskHeaders.subject(jobId, stage, itemId));
        add(headers, TaskHeaders.CE_TIME, sentAt.toString());
        add(headers, TaskHeaders.CONTENT_TYPE, TaskHeaders.AVRO_CONTENT_TYPE);
        add(headers, TaskHeaders.JOB, jobId);
        add(headers, TaskHeaders.STAGE, stage);
        if (itemId != null) {
            add(headers, TaskHeaders.ITEM, itemId);
        }
        add(headers, TaskHeaders.ATTEMPT, Integer.toString(attempt));
        add(headers, TaskHeaders.TASK_TYPE, taskType);
        add(headers, TaskHeaders.DEADLINE, deadline.toString());
        return headers;
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
