package io.tally.jobsapi.replay;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;

/**
 * Re-produces a range of a catalogue topic into the same topic and partition, with key, value bytes and headers
 * unchanged, in one transaction. The range's end is fixed when the replay starts, so a replay never reads its own
 * output. Safe to repeat because every consumer dedupes (docs/replay.md). Dead-letter topics are not replayed: that
 * is what redrive is for. Known gap: record timestamps are the replay's time, not the original ones.
 */
@Service
public class Replays {

    private final RawRecordLog log;
    private final MeterRegistry meters;

    public Replays(RawRecordLog log, MeterRegistry meters) {
        this.log = log;
        this.meters = meters;
    }

    /**
     * Where a replay starts and ends, per partition: exactly one start, at most one end.
     *
     * @param fromOffset    first offset (inclusive), in every partition
     * @param fromTimestamp first record at or after this time
     * @param toOffset      last offset (inclusive); default: the end at the moment of the request
     * @param toTimestamp   stop before the first record at or after this time
     */
    public record Selection(Long fromOffset, Instant fromTimestamp, Long toOffset, Instant toTimestamp) {
    }

    /** Counts the records of the selection and, unless {@code dryRun}, re-produces them; answers the count. */
    public long replay(String topic, Selection selection, boolean dryRun) {
        TopicSpec<?> spec = replayableTopic(topic);
        Map<TopicPartition, RawRecordLog.Range> ranges = ranges(spec.name(), selection);
        long records;
        if (dryRun) {
            records = log.scan(ranges, record -> { });
        } else {
            AtomicLong sent = new AtomicLong();
            log.inTransaction(operations -> {
                log.scan(ranges, record -> {
                    operations.send(new ProducerRecord<>(record.topic(), record.partition(), null, record.key(),
                            record.value(), record.headers()));
                    sent.incrementAndGet();
                });
                return null;
            });
            records = sent.get();
        }
        meters.counter("tally.api.replay.records", "topic", spec.name(), "dry_run", String.valueOf(dryRun))
                .increment(records);
        return records;
    }

    private Map<TopicPartition, RawRecordLog.Range> ranges(String topic, Selection selection) {
        Map<TopicPartition, RawRecordLog.Range> bounds = log.bounds(topic);
        List<TopicPartition> partitions = new ArrayList<>(bounds.keySet());
        Map<TopicPartition, Long> fromTime = selection.fromTimestamp() == null ? Map.of()
                : log.offsetsAt(partitions, selection.fromTimestamp());
        Map<TopicPartition, Long> toTime = selection.toTimestamp() == null ? Map.of()
                : log.offsetsAt(partitions, selection.toTimestamp());
        Map<TopicPartition, RawRecordLog.Range> ranges = new HashMap<>();
        bounds.forEach((partition, limits) -> {
            long from = selection.fromOffset() != null ? selection.fromOffset() : orEnd(fromTime.get(partition), limits);
            long to = limits.to();
            if (selection.toOffset() != null) {
                to = Math.min(to, selection.toOffset() + 1);
            } else if (selection.toTimestamp() != null) {
                to = Math.min(to, orEnd(toTime.get(partition), limits));
            }
            ranges.put(partition, new RawRecordLog.Range(Math.max(from, limits.from()), to));
        });
        return ranges;
    }

    private static long orEnd(Long offset, RawRecordLog.Range limits) {
        return offset == null ? limits.to() : offset;
    }

    static TopicSpec<?> replayableTopic(String topic) {
        return Topics.ALL.stream()
                .filter(spec -> !Topics.DEAD_LETTERS.contains(spec))
                .filter(spec -> spec.name().equals(topic))
                .findFirst()
                .or(() -> Topics.taskRequests(topic).map(spec -> (TopicSpec<?>) spec))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "'" + topic
                        + "' is neither a replayable catalogue topic nor a task type's request topic (dead-letter "
                        + "topics are redriven, not replayed)"));
    }
}
