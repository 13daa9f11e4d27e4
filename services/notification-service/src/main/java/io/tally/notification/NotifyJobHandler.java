package io.tally.notification;

import io.tally.common.jobs.NotificationKind;
import io.tally.common.tasks.ChartTasks;
import io.tally.events.ChartTrack;
import io.tally.events.NotificationRequested;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.NotifyJobInput;
import io.tally.events.tasks.NotifyJobOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.notification.channels.Notification;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code notify-job} task (pipelines/beatport-chart.yml): the job's one summary. It writes the delivery intent,
 * {@code NotificationRequested}, under the job's notification id ({@code completed:<jobId>}, or
 * {@code failed:<jobId>} when searches failed), and {@link NotificationDelivery} sends it through the configured
 * channels (email, webhook, outbox) with that id as the idempotency key, as for every notification (ADR 0009).
 * A searched track without a search result failed: the summary names it. A kind the configuration does not notify
 * is SKIPPED. A redelivered task writes the same intent again, which the channels' idempotency keys cover where the
 * channel honours them (a webhook's {@code Idempotency-Key}, the outbox file); an SMTP server may deliver it twice.
 */
record NotifyJobHandler(NotificationProperties config, NotifyMetrics metrics, Intents intents, Clock clock)
        implements TaskHandler.Work<NotifyJobInput, NotifyJobOutput> {

    /** The task type: requests come from {@code tally.tasks.notify-job}. */
    static final String TASK_TYPE = ChartTasks.NOTIFY_JOB.type();

    @Override
    public NotifyJobOutput run(NotifyJobInput input, TaskContext context) throws Exception {
        List<ChartTrack> failed = failed(input);
        NotificationKind kind = failed.isEmpty() ? NotificationKind.COMPLETED : NotificationKind.FAILED;
        if (!config.notifies(kind)) {
            return null;
        }
        Notification notification = summary(kind, input, failed);
        Instant now = clock.instant();
        // The engine learns the stage's end from this task's result, not from a stage report.
        intents.request(Messages.intent(kind, notification, false, now));
        metrics.requested(kind);
        return NotifyJobOutput.newBuilder().setNotificationId(notification.id()).setKind(kind.id()).setRequestedAt(now).build();
    }

    /** The searched tracks without a search result, in chart order. */
    static List<ChartTrack> failed(NotifyJobInput input) {
        Set<String> answered = input.getResults().stream().map(SearchTrackOutput::getTrackKey).collect(Collectors.toSet());
        return input.getSearched().stream().filter(track -> !answered.contains(track.getTrackKey())).toList();
    }

    /** The summary of a job whose playlist stage ended; {@code failed} are the searches that did not answer. */
    static Notification summary(NotificationKind kind, NotifyJobInput input, List<ChartTrack> failed) {
        String jobId = input.getJobId();
        long found = input.getResults().stream().filter(result -> result.getResolution() == TrackResolution.FOUND).count();
        long notFound = input.getResults().size() - found;
        String verb = kind == NotificationKind.COMPLETED ? "completed" : "completed with %d failed item(s)".formatted(failed.size());
        String playlist = input.getPlaylistUrl() == null ? "none (no track has a video)"
                : input.getPlaylistUrl() + (input.getPlaylistCreated() ? "" : " (made before, for this chart)");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", jobId);
        fields.put("pipeline", input.getPipeline());
        fields.put("sourceRef", input.getSourceRef());
        fields.put("state", kind == NotificationKind.COMPLETED ? "COMPLETED" : "COMPLETED_WITH_FAILURES");
        fields.put("expected", input.getSearched().size());
        fields.put("found", found);
        fields.put("notFound", notFound);
        fields.put("failed", failed.size());
        fields.put("playlist", playlist);
        fields.put("playlistUrl", input.getPlaylistUrl());
        fields.put("entryCount", input.getEntryCount());
        fields.put("skippedCount", input.getSkippedCount());
        StringBuilder body = new StringBuilder();
        body.append("Job ").append(jobId).append(' ').append(verb).append(".\n");
        body.append("Pipeline: ").append(input.getPipeline()).append('\n');
        body.append("Source: ").append(input.getSourceRef() == null ? "unknown" : input.getSourceRef()).append('\n');
        body.append("Searches: %d new tracks, %d found, %d not found, %d failed\n".formatted(input.getSearched().size(),
                found, notFound, failed.size()));
        body.append("Playlist: ").append(playlist).append('\n');
        if (input.getPlaylistUrl() != null) {
            body.append("Playlist entries: %d (%d chart tracks without a video)\n".formatted(input.getEntryCount(),
                    input.getSkippedCount()));
        }
        if (!failed.isEmpty()) {
            body.append("Failed items (the search failed; a redrive of tally.dlt.tasks.search-track retries it):\n");
            for (ChartTrack track : failed) {
                body.append(" - ").append(track.getTrackKey()).append(": ").append(String.join(", ", track.getArtists()))
                        .append(" - ").append(track.getTitle()).append('\n');
            }
            fields.put("failedItems", failed.stream().map(ChartTrack::getTrackKey).toList());
        }
        String subject = input.getSubject() != null ? input.getSubject()
                : "[tally] %s %s: %s".formatted(input.getPipeline(), verb, jobId);
        return new Notification(Messages.id(kind, jobId), kind.id(), jobId, subject, body.toString(), fields);
    }

    /** Writes a delivery intent and waits for the broker. */
    @FunctionalInterface
    interface Intents {
        void request(NotificationRequested intent) throws Exception;
    }
}
