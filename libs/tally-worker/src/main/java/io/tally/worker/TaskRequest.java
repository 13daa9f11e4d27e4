package io.tally.worker;

import io.tally.common.errors.PoisonRecordException;
import io.tally.common.tasks.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A task request's metadata, read from its CloudEvents headers (ADR 0016). A request without the required headers
 * is a poison record: {@link #from} throws {@link PoisonRecordException} with the reason, and the SDK dead-letters it.
 *
 * @param taskId   {@code ce_id}
 * @param jobId    {@code ce_tallyjob}
 * @param stage    {@code ce_tallystage}
 * @param itemId   {@code ce_tallyitem}, null for a single task
 * @param attempt  {@code ce_tallyattempt}, from 1
 * @param taskType {@code ce_tallytasktype}
 * @param deadline {@code ce_tallydeadline}, or null
 */
public record TaskRequest(String taskId, String jobId, String stage, String itemId, int attempt, String taskType,
                          Instant deadline) {

    /** Reads and checks the headers of a request for {@code expectedType}. */
    public static TaskRequest from(Headers headers, String expectedType) {
        String specVersion = required(headers, TaskHeaders.CE_SPECVERSION);
        if (!TaskHeaders.SPEC_VERSION.equals(specVersion)) {
            throw new PoisonRecordException("Task request has " + TaskHeaders.CE_SPECVERSION + " '" + specVersion
                    + "', expected " + TaskHeaders.SPEC_VERSION);
        }
        String type = required(headers, TaskHeaders.CE_TYPE);
        if (!TaskHeaders.TYPE_REQUESTED.equals(type)) {
            throw new PoisonRecordException("Task request has " + TaskHeaders.CE_TYPE + " '" + type + "', expected "
                    + TaskHeaders.TYPE_REQUESTED);
        }
        String taskType = text(headers, TaskHeaders.TASK_TYPE);
        if (taskType != null && !taskType.equals(expectedType)) {
            throw new PoisonRecordException("Task request of type '" + taskType + "' on the topic of '" + expectedType + "'");
        }
        String attempt = required(headers, TaskHeaders.ATTEMPT);
        int attemptNumber;
        try {
            attemptNumber = Integer.parseInt(attempt);
        } catch (NumberFormatException e) {
            throw new PoisonRecordException("Task request has " + TaskHeaders.ATTEMPT + " '" + attempt + "', not a number");
        }
        String deadline = text(headers, TaskHeaders.DEADLINE);
        Instant deadlineTime;
        try {
            deadlineTime = deadline == null ? null : Instant.parse(deadline);
        } catch (DateTimeParseException e) {
            throw new PoisonRecordException("Task request has " + TaskHeaders.DEADLINE + " '" + deadline + "', not RFC 3339");
        }
        return new TaskRequest(required(headers, TaskHeaders.CE_ID), required(headers, TaskHeaders.JOB),
                required(headers, TaskHeaders.STAGE), text(headers, TaskHeaders.ITEM), attemptNumber, expectedType,
                deadlineTime);
    }

    private static String required(Headers headers, String name) {
        String value = text(headers, name);
        if (value == null || value.isBlank()) {
            throw new PoisonRecordException("Task request has no " + name + " header (ADR 0016: CloudEvents binary mode)");
        }
        return value;
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
