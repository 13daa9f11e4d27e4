package io.tally.notification;

import io.tally.common.jobs.NotificationKind;
import io.tally.notification.channels.Notification;
import io.tally.tasks.notification.SendNotificationInput;
import io.tally.tasks.notification.SendNotificationOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generic {@code send-notification} task: a message a pipeline composed itself (subject and plain-text body),
 * sent through the service's channels like the chart pipeline's {@code notify-job}: it writes the delivery intent
 * under a deterministic id, {@code <kind>:<jobId>:<stage>}, and {@link NotificationDelivery} sends it, skipping the
 * channels the sent table says it reached. So a redelivered or retried task writes the same intent again and no
 * channel gets it twice (within the known gap of the sent table's lag). The id never collides with the service's
 * own job-end notification ({@code failed:<jobId>}), which a FAILED job still gets.
 * {@code pipeline-succeeded} is delivered as kind {@code completed}, {@code pipeline-failed} as {@code failed}
 * (metrics, {@code tally.notify.kinds}); a kind the configuration does not notify is SKIPPED.
 */
record SendNotificationHandler(NotificationProperties config, NotifyMetrics metrics, NotifyJobHandler.Intents intents,
                               List<String> channels, Clock clock)
        implements TaskHandler.Work<SendNotificationInput, SendNotificationOutput> {

    static final String TASK_TYPE = "send-notification";
    /** The input kinds and the notification kinds they are delivered as. */
    static final Map<String, NotificationKind> KINDS = Map.of(
            "pipeline-succeeded", NotificationKind.COMPLETED,
            "pipeline-failed", NotificationKind.FAILED);

    @Override
    public SendNotificationOutput run(SendNotificationInput input, TaskContext context) throws Exception {
        NotificationKind kind = KINDS.get(input.getKind());
        if (kind == null) {
            throw new TaskFailedException("bad-input", "unknown kind '%s' (known: %s)".formatted(input.getKind(),
                    String.join(", ", KINDS.keySet())), false);
        }
        if (!config.notifies(kind)) {
            return null;
        }
        String id = input.getKind() + ":" + input.getJobId() + ":" + context.stage();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", input.getJobId());
        fields.put("pipeline", input.getPipeline());
        fields.put("kind", input.getKind());
        fields.put("stage", context.stage());
        Notification notification = new Notification(id, kind.id(), input.getJobId(), input.getSubject(),
                input.getBody(), fields);
        Instant now = clock.instant();
        intents.request(Messages.intent(kind, notification, false, now));
        metrics.requested(kind);
        return SendNotificationOutput.newBuilder().setNotificationId(id).setKind(input.getKind()).setChannels(channels)
                .setRequestedAt(now).build();
    }
}
