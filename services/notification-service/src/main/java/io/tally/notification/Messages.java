package io.tally.notification;

import io.tally.common.jobs.NotificationKind;
import io.tally.common.jobs.Stages;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.NotificationRequested;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.notification.channels.Notification;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Writes the text and structured fields of each kind of notification. Pure functions, so tests can read them. */
final class Messages {

    private Messages() {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<LinkedHashMap<String, Object>> FIELDS = new TypeReference<>() {
    };

    /** The structured fields as the JSON object a {@code NotificationRequested} carries. */
    static String fieldsJson(Map<String, Object> fields) {
        return JSON.writeValueAsString(fields);
    }

    /** The notification a delivery intent describes, as the channels take it. */
    static Notification of(NotificationRequested intent) {
        Map<String, Object> fields = intent.getFieldsJson().isBlank() ? new LinkedHashMap<>() : JSON.readValue(intent.getFieldsJson(), FIELDS);
        return new Notification(intent.getNotificationId(), intent.getKind(), intent.getJobId(), intent.getSubject(),
                intent.getBody(), fields);
    }

    /** The delivery intent of {@code notification}, decided at {@code at}. */
    static NotificationRequested intent(NotificationKind kind, Notification notification, boolean reportsStage, Instant at) {
        return NotificationRequested.newBuilder()
                .setNotificationId(notification.id())
                .setKind(kind.id())
                .setJobId(notification.jobId())
                .setSubject(notification.subject())
                .setBody(notification.body())
                .setFieldsJson(fieldsJson(notification.fields()))
                .setReportsStage(reportsStage)
                .setRequestedAt(at)
                .build();
    }

    static String id(NotificationKind kind, String jobId) {
        return kind.jobNotificationId(jobId);
    }

    static String stalledId(JobStalled stalled) {
        return NotificationKind.STALLED.id() + ":" + stalled.getJobId() + ":" + stalled.getStalledAt().toEpochMilli();
    }

    static String deadLetterId(String topic, int partition, long offset) {
        return NotificationKind.DEAD_LETTER.id() + ":" + topic + ":" + partition + ":" + offset;
    }

    /** The job's playlist stage, or null if its pipeline has none. */
    static StageStatus playlistStage(JobStatus job) {
        return job.getStages().stream().filter(stage -> Stages.PLAYLIST.equals(stage.getName())).findFirst().orElse(null);
    }

    static boolean ended(StageStatus stage) {
        return stage.getState() == StageState.SUCCEEDED || stage.getState() == StageState.FAILED
                || stage.getState() == StageState.SKIPPED;
    }

    /** A completed, failed, timed-out or cancelled job; {@code playlistWait} is set when the playlist stage did not end in time. */
    static Notification jobEnded(NotificationKind kind, JobStatus job, List<FailedItem> failures, Duration playlistWait) {
        String jobId = job.getJobId();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", jobId);
        fields.put("pipeline", job.getPipeline());
        fields.put("sourceRef", job.getSourceRef());
        fields.put("state", job.getState().name());
        fields.put("expected", job.getExpectedCount());
        fields.put("succeeded", job.getSucceededCount());
        fields.put("failed", job.getFailedCount());
        fields.put("skipped", job.getSkippedCount());
        Duration duration = job.getCreatedAt() == null || job.getCompletedAt() == null
                ? null : Duration.between(job.getCreatedAt(), job.getCompletedAt());
        fields.put("durationSeconds", duration == null ? null : duration.toSeconds());
        StringBuilder body = new StringBuilder();
        String verb = switch (kind) {
            case COMPLETED -> "completed";
            case FAILED -> job.getState() == JobState.FAILED ? "failed"
                    : "completed with %d failed item(s)".formatted(job.getFailedCount());
            case TIMED_OUT -> "timed out";
            case CANCELLED -> "was cancelled";
            default -> throw new IllegalArgumentException(kind + " does not end a job");
        };
        body.append("Job ").append(jobId).append(' ').append(verb).append(".\n");
        body.append("Pipeline: ").append(orUnknown(job.getPipeline())).append('\n');
        body.append("Source: ").append(orUnknown(job.getSourceRef())).append('\n');
        body.append("Items: %s expected, %d succeeded, %d failed, %d skipped\n".formatted(
                job.getExpectedCount() == null ? "?" : job.getExpectedCount(), job.getSucceededCount(),
                job.getFailedCount(), job.getSkippedCount()));
        body.append("Duration: ").append(duration == null ? "unknown" : human(duration)).append('\n');
        if (job.getDeadline() != null && kind == NotificationKind.TIMED_OUT) {
            body.append("Deadline: ").append(job.getDeadline()).append('\n');
        }
        StageStatus failedStage = job.getState() == JobState.FAILED ? failedStage(job) : null;
        if (failedStage != null) {
            fields.put("failedStage", failedStage.getName());
            fields.put("error", failedStage.getDetail());
            body.append("Failed stage: ").append(failedStage.getName()).append(": ")
                    .append(orUnknown(failedStage.getDetail())).append('\n');
        }
        StageStatus playlist = playlistStage(job);
        if (playlist != null) {
            String line;
            if (playlist.getState() == StageState.SUCCEEDED && playlist.getDetail() != null) {
                line = playlist.getDetail();
                fields.put("playlistUrl", playlist.getDetail());
            } else if (ended(playlist)) {
                line = playlist.getState().name().toLowerCase() + (playlist.getDetail() == null ? "" : " (" + playlist.getDetail() + ")");
            } else {
                line = "not ready after " + human(playlistWait) + " (stage " + playlist.getState().name().toLowerCase() + ")";
            }
            fields.put("playlist", line);
            body.append("Playlist: ").append(line).append('\n');
        }
        if (!failures.isEmpty()) {
            body.append("Failed items (%d listed of %d failed):\n".formatted(failures.size(), job.getFailedCount()));
            for (FailedItem item : failures) {
                body.append(" - ").append(item.itemId()).append(": ").append(orUnknown(item.error()))
                        .append(" (attempt ").append(item.attempt()).append(")\n");
            }
            fields.put("failedItems", failures.stream().map(item -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("itemId", item.itemId());
                map.put("error", item.error());
                map.put("attempt", item.attempt());
                return map;
            }).toList());
        }
        String subject = "[tally] %s %s: %s".formatted(orUnknown(job.getPipeline()), verb, jobId);
        return new Notification(id(kind, jobId), kind.id(), jobId, subject, body.toString(), fields);
    }

    /** The stage whose failure ended the job: the first FAILED one that did not fail only because the job ended. */
    private static StageStatus failedStage(JobStatus job) {
        return job.getStages().stream()
                .filter(stage -> stage.getState() == StageState.FAILED)
                .filter(stage -> !Stages.isStoppedByJobEnd(stage.getDetail()))
                .findFirst().orElse(null);
    }

    static Notification stalled(JobStalled stalled) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", stalled.getJobId());
        fields.put("pipeline", stalled.getPipeline());
        fields.put("sourceRef", stalled.getSourceRef());
        fields.put("expected", stalled.getExpectedCount());
        fields.put("processed", stalled.getProcessedCount());
        fields.put("lastProgressAt", stalled.getLastProgressAt().toString());
        fields.put("stalledAt", stalled.getStalledAt().toString());
        fields.put("reason", stalled.getReason());
        String body = """
                Job %s stalled.
                Pipeline: %s
                Source: %s
                Items: %d of %s processed
                Last progress: %s
                Stalled at: %s
                Reason: %s
                """.formatted(stalled.getJobId(), orUnknown(stalled.getPipeline()), orUnknown(stalled.getSourceRef()),
                stalled.getProcessedCount(), stalled.getExpectedCount() == null ? "?" : stalled.getExpectedCount(),
                stalled.getLastProgressAt(), stalled.getStalledAt(), stalled.getReason());
        String subject = "[tally] job stalled: %s".formatted(stalled.getJobId());
        return new Notification(stalledId(stalled), NotificationKind.STALLED.id(), stalled.getJobId(), subject, body, fields);
    }

    static Notification deadLetter(String topic, int partition, long offset, String key, String reason, String originalTopic) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("topic", topic);
        fields.put("partition", partition);
        fields.put("offset", offset);
        fields.put("key", key);
        fields.put("originalTopic", originalTopic);
        fields.put("reason", reason);
        String body = """
                A record was dead-lettered.
                Topic: %s (partition %d, offset %d)
                Original topic: %s
                Key: %s
                Reason: %s
                """.formatted(topic, partition, offset, orUnknown(originalTopic), key == null ? "(none)" : key,
                reason == null ? "(no reason header)" : reason);
        String subject = "[tally] dead letter on %s".formatted(topic);
        return new Notification(deadLetterId(topic, partition, offset), NotificationKind.DEAD_LETTER.id(), null, subject, body, fields);
    }

    private static String orUnknown(String text) {
        return text == null ? "unknown" : text;
    }

    private static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return "%dm %ds".formatted(seconds / 60, seconds % 60);
        }
        return "%dh %dm %ds".formatted(seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    }
}
