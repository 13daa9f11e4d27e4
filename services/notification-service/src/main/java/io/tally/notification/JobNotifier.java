package io.tally.notification;

import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.NotificationKind;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Notifies about job ends and stalls. Reads the job status table, {@code JobStalled} and {@code ItemProcessed}, all
 * keyed by job id (co-partitioned, so one task sees all of a job). A job the stage engine runs is notified only when it
 * ends FAILED (naming the stage and its error), TIMED_OUT or CANCELLED: its pipeline tells about its success. Values arrive as raw bytes and are read here, so
 * a dead letter keeps the original bytes. A completed job whose pipeline has a playlist stage waits (in the pending
 * store) until that stage ends or {@code playlist-wait} passes by wall clock.
 * Known gaps: a job that never ends keeps its failed-items entry; an old FAILED attempt redelivered after a newer
 * success is listed again.
 */
final class JobNotifier implements Processor<String, byte[], Object, Object> {

    private final NotificationProperties config;
    private final NotifyMetrics metrics;
    private final Function<Class<?>, Deserializer<?>> deserializers;

    private ProcessorContext<Object, Object> context;
    private Dispatch dispatch;
    private KeyValueStore<String, byte[]> pending;
    private KeyValueStore<String, List<FailedItem>> failures;

    JobNotifier(NotificationProperties config, NotifyMetrics metrics, Function<Class<?>, Deserializer<?>> deserializers) {
        this.config = config;
        this.metrics = metrics;
        this.deserializers = deserializers;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.dispatch = new Dispatch(metrics, context.getStateStore(NotificationTopology.SENT_STORE), context,
                NotificationTopology.JOB_REQUEST_SINK);
        this.pending = context.getStateStore(NotificationTopology.PENDING_STORE);
        this.failures = context.getStateStore(NotificationTopology.FAILED_ITEMS_STORE);
        context.schedule(config.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::sendOverdue);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("(unknown)");
        if (record.value() == null) {
            if (topic.equals(Topics.JOB_STATUS.name())) {
                // A compacted status topic may delete a job: forget what was waiting for it.
                pending.delete(record.key());
                return;
            }
            throw new PoisonRecordException("Record on %s with key '%s' has no value; job topics take no tombstones"
                    .formatted(topic, record.key()));
        }
        if (topic.equals(Topics.JOB_STATUS.name())) {
            JobStatus status = read(Topics.JOB_STATUS, record);
            requireKey(topic, record.key(), status.getJobId());
            onStatus(status, record.value());
        } else if (topic.equals(Topics.JOB_STALLED.name())) {
            JobStalled stalled = read(Topics.JOB_STALLED, record);
            requireKey(topic, record.key(), stalled.getJobId());
            if (config.notifies(NotificationKind.STALLED)) {
                dispatch.request(NotificationKind.STALLED, Messages.stalled(stalled));
            }
        } else if (topic.equals(Topics.ITEM_PROCESSED.name())) {
            ItemProcessed item = read(Topics.ITEM_PROCESSED, record);
            requireKey(topic, record.key(), item.getJobId());
            onItem(item);
        } else {
            throw new PoisonRecordException("Record on %s, which the notification service does not read".formatted(topic));
        }
    }

    private void onStatus(JobStatus status, byte[] raw) {
        NotificationKind kind = NotificationKind.forJobEnd(status.getState());
        // Running, pending and stalled statuses arrive many times per job; only the end is notified.
        if (kind == null || !config.notifies(kind)) {
            return;
        }
        if (ranByEngine(status) && (kind == NotificationKind.COMPLETED
                || status.getState() == JobState.COMPLETED_WITH_FAILURES)) {
            // The pipeline tells about its own success (a notify-job stage knows what to say); this service tells
            // what ended a job badly, which no stage of it can.
            return;
        }
        String jobId = status.getJobId();
        if (dispatch.done(Messages.id(kind, jobId))) {
            metrics.duplicate();
            pending.delete(jobId);
            return;
        }
        StageStatus playlist = Messages.playlistStage(status);
        if (kind != NotificationKind.TIMED_OUT && playlist != null && !Messages.ended(playlist)) {
            byte[] waiting = pending.get(jobId);
            long since = waiting == null ? context.currentSystemTimeMs() : ByteBuffer.wrap(waiting).getLong();
            pending.put(jobId, ByteBuffer.allocate(Long.BYTES + raw.length).putLong(since).put(raw).array());
            return;
        }
        pending.delete(jobId);
        notifyEnd(kind, status);
    }

    /** Decides the end notification; its delivery (and the notify stage report after it) is the consumer's. */
    private void notifyEnd(NotificationKind kind, JobStatus status) {
        String jobId = status.getJobId();
        List<FailedItem> failed = kind == NotificationKind.COMPLETED ? List.of() : orEmpty(failures.get(jobId));
        dispatch.request(kind, Messages.jobEnded(kind, status, failed, config.playlistWait()),
                kind.endsJob() && !ranByEngine(status));
        failures.delete(jobId);
    }

    private void onItem(ItemProcessed item) {
        String jobId = item.getJobId();
        if (config.maxFailedItems() == 0 || dispatch.done(Messages.id(NotificationKind.FAILED, jobId))
                || dispatch.done(Messages.id(NotificationKind.COMPLETED, jobId))) {
            return;
        }
        List<FailedItem> items = orEmpty(failures.get(jobId));
        int index = indexOf(items, item.getItemId());
        FailedItem known = index < 0 ? null : items.get(index);
        if (known != null && item.getAttempt() < known.attempt()) {
            return;
        }
        if (item.getOutcome() == ItemOutcome.FAILED) {
            FailedItem failed = new FailedItem(item.getItemId(), item.getError(), item.getAttempt());
            if (known != null) {
                items.set(index, failed);
            } else if (items.size() < config.maxFailedItems()) {
                items.add(failed);
            } else {
                return;
            }
        } else if (known != null) {
            // A redriven item that now succeeded (or was skipped) is no longer a failure.
            items.remove(index);
        } else {
            return;
        }
        if (items.isEmpty()) {
            failures.delete(jobId);
        } else {
            failures.put(jobId, items);
        }
    }

    private void sendOverdue(long now) {
        long due = now - config.playlistWait().toMillis();
        List<KeyValue<String, byte[]>> overdue = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = pending.all()) {
            all.forEachRemaining(entry -> {
                if (ByteBuffer.wrap(entry.value).getLong() <= due) {
                    overdue.add(entry);
                }
            });
        }
        for (KeyValue<String, byte[]> entry : overdue) {
            pending.delete(entry.key);
            byte[] raw = new byte[entry.value.length - Long.BYTES];
            ByteBuffer.wrap(entry.value, Long.BYTES, raw.length).get(raw);
            JobStatus status = (JobStatus) deserializers.apply(JobStatus.class).deserialize(Topics.JOB_STATUS.name(), raw);
            NotificationKind kind = NotificationKind.forJobEnd(status.getState());
            if (!dispatch.done(Messages.id(kind, status.getJobId()))) {
                notifyEnd(kind, status);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T read(TopicSpec<T> topic, Record<String, byte[]> record) {
        Deserializer<T> deserializer = (Deserializer<T>) deserializers.apply(topic.valueType());
        Headers headers = record.headers();
        try {
            return deserializer.deserialize(topic.name(), headers, record.value());
        } catch (RuntimeException e) {
            throw new PoisonRecordException("Record on %s with key '%s' is not a readable %s: %s"
                    .formatted(topic.name(), record.key(), topic.valueType().getSimpleName(), e.getMessage()));
        }
    }

    /** Whether the stage engine runs the job (from a pipeline definition) rather than services wired to it. */
    private static boolean ranByEngine(JobStatus status) {
        return status.getPipelineVersion() != null;
    }

    private static void requireKey(String topic, String key, String jobId) {
        if (jobId == null || jobId.isBlank() || !jobId.equals(key)) {
            throw new PoisonRecordException("Record on %s has key '%s' but jobId '%s'; job events must be keyed by their job id"
                    .formatted(topic, key, jobId));
        }
    }

    private static int indexOf(List<FailedItem> items, String itemId) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).itemId().equals(itemId)) {
                return i;
            }
        }
        return -1;
    }

    private static List<FailedItem> orEmpty(List<FailedItem> items) {
        return items == null ? new ArrayList<>() : items;
    }
}
