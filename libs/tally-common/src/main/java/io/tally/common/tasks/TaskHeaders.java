package io.tally.common.tasks;

import io.tally.pipeline.PipelineLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The task envelope's metadata: CloudEvents 1.0 attributes in the Kafka protocol binding's binary content mode
 * ({@code ce_} headers, UTF-8 strings), with Tally's extension attributes. The record value is the task's typed Avro
 * input in the registry's wire format. The contract is written down in docs/adr/0016-task-envelope.md; a worker in
 * any language needs only these header names, a Kafka client and the registry.
 */
public final class TaskHeaders {

    /** Always {@value #SPEC_VERSION}. */
    public static final String CE_SPECVERSION = "ce_specversion";
    /** The task id: {@code <jobId>/<stage>[/<itemId>]#<attempt>}; unique per attempt, repeated on redelivery. */
    public static final String CE_ID = "ce_id";
    /** {@code tally/pipelines/<pipeline>/<version>}. */
    public static final String CE_SOURCE = "ce_source";
    /** {@value #TYPE_REQUESTED}. */
    public static final String CE_TYPE = "ce_type";
    /** {@code <jobId>/<stage>[/<itemId>]}: what the task works on, the same for every attempt. */
    public static final String CE_SUBJECT = "ce_subject";
    /** When the engine dispatched the attempt, RFC 3339. */
    public static final String CE_TIME = "ce_time";
    /** The value's media type: {@value #AVRO_CONTENT_TYPE}. */
    public static final String CONTENT_TYPE = "content-type";

    /** Extension: the job id (also the record key). */
    public static final String JOB = "ce_tallyjob";
    /** Extension: the stage id within the job's pipeline definition. */
    public static final String STAGE = "ce_tallystage";
    /** Extension: the element id within a fan-out stage; absent for a single task. */
    public static final String ITEM = "ce_tallyitem";
    /** Extension: the engine's attempt number, from 1. */
    public static final String ATTEMPT = "ce_tallyattempt";
    /** Extension: the task type, such as {@code search-track}. */
    public static final String TASK_TYPE = "ce_tallytasktype";
    /** Extension: when the attempt times out at the engine, RFC 3339; a worker may stop early past it. */
    public static final String DEADLINE = "ce_tallydeadline";

    public static final String SPEC_VERSION = "1.0";
    public static final String TYPE_REQUESTED = "io.tally.task.requested";
    public static final String AVRO_CONTENT_TYPE = "application/avro";

    /** Prefix of every task request topic: {@code tally.tasks.<task type>}. */
    public static final String REQUEST_TOPIC_PREFIX = "tally.tasks.";
    /** Prefix of every task type's dead-letter topic: {@code tally.dlt.tasks.<task type>}. */
    public static final String DEAD_LETTER_PREFIX = "tally.dlt.tasks.";

    private TaskHeaders() {
    }

    /** The topic that carries requests of {@code taskType}. */
    public static String requestTopic(String taskType) {
        return REQUEST_TOPIC_PREFIX + taskType;
    }

    /** The dead-letter topic of {@code taskType}, where its worker puts requests that failed every retry. */
    public static String deadLetterTopic(String taskType) {
        return DEAD_LETTER_PREFIX + taskType;
    }

    /** The dead-letter topic at the end of a request topic's retry chain: {@code tally.tasks.x} → {@code tally.dlt.tasks.x}. */
    public static String deadLetterTopicOf(String requestTopic) {
        if (!requestTopic.startsWith(REQUEST_TOPIC_PREFIX)) {
            throw new IllegalArgumentException(requestTopic + " is not a task request topic");
        }
        return deadLetterTopic(requestTopic.substring(REQUEST_TOPIC_PREFIX.length()));
    }

    /** Whether {@code topic} is a task type's request topic (not the shared results or progress topic). */
    public static boolean isRequestTopic(String topic) {
        return isTaskTopic(topic, REQUEST_TOPIC_PREFIX);
    }

    /** Whether {@code topic} is a task type's dead-letter topic. */
    public static boolean isDeadLetterTopic(String topic) {
        return isTaskTopic(topic, DEAD_LETTER_PREFIX);
    }

    /**
     * The request topic a task topic's record belongs to: the topic itself, or for a Spring retry topic of it
     * ({@code tally.tasks.<type>-retry-N}) its main topic; null for anything else.
     */
    public static String requestTopicOf(String topic) {
        if (topic == null || !topic.startsWith(REQUEST_TOPIC_PREFIX)) {
            return null;
        }
        int retry = topic.indexOf("-retry");
        String main = retry < 0 ? topic : topic.substring(0, retry);
        return isRequestTopic(main) ? main : null;
    }

    private static boolean isTaskTopic(String topic, String prefix) {
        if (topic == null || !topic.startsWith(prefix)) {
            return false;
        }
        String type = topic.substring(prefix.length());
        return PipelineLoader.TASK_TYPE.matcher(type).matches() && !PipelineLoader.RESERVED_TASK_TYPES.contains(type);
    }

    /** The registry subject of a task type's output schema (its input is the request topic's value subject). */
    public static String outputSubject(String taskType) {
        return requestTopic(taskType) + ".output";
    }

    /**
     * The headers of one task request (ADR 0016): CloudEvents binary mode ({@code ce_*}) with Tally's extensions.
     * {@code itemId} is null for a stage's single task, else the fan-out element; {@code source} names who asks, such
     * as {@code tally/pipelines/<pipeline>/<version>}.
     */
    public static Headers requestHeaders(String taskType, String jobId, String stage, String itemId, int attempt,
                                         String source, Instant sentAt, Instant deadline) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, CE_SPECVERSION, SPEC_VERSION);
        add(headers, CE_ID, taskId(jobId, stage, itemId, attempt));
        add(headers, CE_SOURCE, source);
        add(headers, CE_TYPE, TYPE_REQUESTED);
        add(headers, CE_SUBJECT, subject(jobId, stage, itemId));
        add(headers, CE_TIME, sentAt.toString());
        add(headers, CONTENT_TYPE, AVRO_CONTENT_TYPE);
        add(headers, JOB, jobId);
        add(headers, STAGE, stage);
        if (itemId != null) {
            add(headers, ITEM, itemId);
        }
        add(headers, ATTEMPT, Integer.toString(attempt));
        add(headers, TASK_TYPE, taskType);
        add(headers, DEADLINE, deadline.toString());
        return headers;
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The task id of one attempt. */
    public static String taskId(String jobId, String stage, String itemId, int attempt) {
        return subject(jobId, stage, itemId) + "#" + attempt;
    }

    /** What a task works on, the same for all its attempts. */
    public static String subject(String jobId, String stage, String itemId) {
        return jobId + "/" + stage + (itemId == null ? "" : "/" + itemId);
    }
}
