package io.tally.scheduler.schedules;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ScheduleChanged;
import io.tally.scheduler.TopicFollower;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Follows the compacted run-time schedule topic ({@code tally.scheduler.schedules}) on every replica: the latest
 * {@link ScheduleChanged} per {@code <pipeline>/<schedule>}, a tombstone removing it. The leader's schedule list merges
 * it over the definitions' ({@link RunTimeSchedules}), so a change written by any replica reaches the leader within a
 * poll (half a second). Known gap: until the topic has been read once after start, the replica fires the schedules as
 * the definitions declare them (a disabled one could fire an instant due in that moment).
 */
@Component
public class ScheduleChanges extends TopicFollower<ScheduleChanged> {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleChanges.class);

    private final Map<String, ScheduleChanged> records = new ConcurrentHashMap<>();
    /** Offset of the next record to apply: every record before it is in {@link #records}. */
    private volatile long position;

    public ScheduleChanges(KafkaProperties kafka, AvroSerdes serdes) {
        super(Topics.SCHEDULES.name(), ScheduleChanged.class, "tally-scheduler-schedule-changes", kafka, serdes);
    }

    /** The latest record per schedule, as read so far. */
    public Map<String, ScheduleChanged> records() {
        return Map.copyOf(records);
    }

    /**
     * Waits until the record at {@code offset} has been applied here, so a replica that wrote a change answers with
     * it (and lists it at once). False if that took longer than {@code timeout}.
     */
    public boolean awaitApplied(long offset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position <= offset) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    protected void apply(ConsumerRecords<String, ScheduleChanged> batch) {
        long next = position;
        for (ConsumerRecord<String, ScheduleChanged> record : batch) {
            if (record.key() == null) {
                LOG.warn("Skipping a schedule change without a key at offset {}", record.offset());
            } else if (record.value() == null) {
                records.remove(record.key());
            } else {
                records.put(record.key(), record.value());
            }
            next = Math.max(next, record.offset() + 1);
        }
        position = next;
    }
}
