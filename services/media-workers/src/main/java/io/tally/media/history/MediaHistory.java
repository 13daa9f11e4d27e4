package io.tally.media.history;

import io.tally.common.kafka.FromStart;
import io.tally.common.topics.Topics;
import io.tally.tasks.media.MediaHistoryEntry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The media history on the compacted {@code tally.media.history}, keyed by video id: each write is acknowledged
 * before it returns, and {@link #table()} reads the topic to its end as this call finds it (read_committed, no group),
 * so a pick sees every state written before it asked. Why not a Kafka Streams global store or a followed view: every
 * instance must answer any pick, and a pick must see the writes that came just before it (the previous source's
 * DONE items); reading to the end gives both with no state directory and no catch-up check. Known gap: each read costs
 * the whole table (one small record per video: fine for thousands, not millions; then a global store with a
 * position check is the way).
 */
public class MediaHistory {

    private final KafkaTemplate<String, Object> template;
    private final Supplier<Consumer<String, MediaHistoryEntry>> consumers;
    private final Duration timeout;

    public MediaHistory(KafkaTemplate<String, Object> template, Supplier<Consumer<String, MediaHistoryEntry>> consumers,
                        Duration timeout) {
        this.template = template;
        this.consumers = consumers;
        this.timeout = timeout;
    }

    /** Writes one video's state and waits for the broker's acknowledgement. */
    public void write(MediaHistoryEntry entry) {
        try {
            template.send(Topics.MEDIA_HISTORY.name(), entry.getVideoId(), entry).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the history of " + entry.getVideoId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write the history of " + entry.getVideoId() + ": " + e.getMessage(), e);
        }
    }

    /** Writes several states, all acknowledged before it returns. */
    public void writeAll(List<MediaHistoryEntry> entries) {
        entries.forEach(this::write);
    }

    /** Every video's latest state (a tombstone forgets a video). */
    public Map<String, MediaHistoryEntry> table() {
        Map<String, MediaHistoryEntry> table = new HashMap<>();
        try (Consumer<String, MediaHistoryEntry> consumer = consumers.get()) {
            for (var record : FromStart.readToEnd(consumer, List.of(Topics.MEDIA_HISTORY.name()), timeout)) {
                if (record.value() == null) {
                    table.remove(record.key());
                } else {
                    table.put(record.key(), record.value());
                }
            }
        }
        return table;
    }

    /** One video's latest state. */
    public Optional<MediaHistoryEntry> get(String videoId) {
        return Optional.ofNullable(table().get(videoId));
    }
}
