package io.tally.jobsapi.replay;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;

/**
 * Lists the records of the catalogue's dead-letter topics and redrives them to the topic they were first written to.
 * <p>
 * A redriven record keeps its key, value bytes and headers, minus the headers that describe the failure; Spring's
 * retry bookkeeping ({@code retry_topic-attempts}) stays, so a redriven search counts as a later attempt than the
 * failure it corrects. Redrive is at-least-once: the dead letter stays where it is (a topic cannot delete one record)
 * and a second redrive sends it again. That is safe because every consumer of the original topics dedupes (see
 * docs/replay.md). Known gap: records are selected by scanning, so {@code all} on a huge topic is as slow as reading it.
 */
@Service
public class DeadLetters {

    /** Error header prefixes of Kafka Streams (KIP-1034), Spring's DLT recoverer and Spring's retry topics. */
    static final List<String> ERROR_HEADER_PREFIXES = List.of("__streams.errors.", "kafka_dlt-", "kafka_exception-");

    private final RawRecordLog log;
    private final MeterRegistry meters;

    public DeadLetters(RawRecordLog log, MeterRegistry meters) {
        this.log = log;
        this.meters = meters;
    }

    /** One dead letter as {@code GET /api/admin/dead-letters/{topic}} shows it (the value only by its size). */
    public record Entry(int partition, long offset, String key, Instant timestamp, String originalTopic, String reason,
            int valueSize) {
    }

    /** Where one dead letter is. */
    public record Position(int partition, long offset) {
    }

    /** Answer of a redrive: records selected, sent back, and skipped for want of an original topic. */
    public record Redriven(long selected, long redriven, long skipped) {
    }

    /** The newest {@code limit} dead letters of {@code topic}, oldest first. */
    public List<Entry> list(String topic, int limit) {
        TopicSpec<?> spec = deadLetterTopic(topic);
        Map<TopicPartition, RawRecordLog.Range> ranges = new HashMap<>();
        log.bounds(spec.name()).forEach((partition, bounds) ->
                ranges.put(partition, new RawRecordLog.Range(Math.max(bounds.from(), bounds.to() - limit), bounds.to())));
        List<Entry> entries = new ArrayList<>();
        log.scan(ranges, record -> entries.add(entry(record)));
        entries.sort(Comparator.comparing(Entry::timestamp).thenComparing(Entry::partition).thenComparing(Entry::offset));
        return List.copyOf(entries.subList(Math.max(0, entries.size() - limit), entries.size()));
    }

    /**
     * Sends the selected dead letters of {@code topic} back to their original topics in one transaction.
     *
     * @param positions the records to redrive, or null for every record of the topic
     * @throws ResponseStatusException 404 for a topic that is not a catalogue dead-letter topic or a position that
     *                                 holds no record (nothing is sent then)
     */
    public Redriven redrive(String topic, List<Position> positions) {
        TopicSpec<?> spec = deadLetterTopic(topic);
        Map<TopicPartition, RawRecordLog.Range> bounds = log.bounds(spec.name());
        Map<TopicPartition, RawRecordLog.Range> ranges = positions == null ? bounds : around(spec.name(), positions, bounds);
        Set<Position> wanted = positions == null ? null : new HashSet<>(positions);
        List<ConsumerRecord<byte[], byte[]>> selected = new ArrayList<>();
        log.scan(ranges, record -> {
            if (wanted == null || wanted.contains(new Position(record.partition(), record.offset()))) {
                selected.add(record);
            }
        });
        if (wanted != null && selected.size() < wanted.size()) {
            Set<Position> missing = new HashSet<>(wanted);
            selected.forEach(record -> missing.remove(new Position(record.partition(), record.offset())));
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no dead letter at " + missing + " of " + topic);
        }
        AtomicLong redriven = new AtomicLong();
        log.inTransaction(operations -> {
            for (ConsumerRecord<byte[], byte[]> record : selected) {
                String target = originalTopic(record.headers());
                if (target != null) {
                    operations.send(new ProducerRecord<>(target, null, null, record.key(), record.value(),
                            withoutErrorHeaders(record.headers())));
                    redriven.incrementAndGet();
                }
            }
            return null;
        });
        long skipped = selected.size() - redriven.get();
        meters.counter("tally.api.redrive.records", "topic", spec.name(), "outcome", "redriven").increment(redriven.get());
        meters.counter("tally.api.redrive.records", "topic", spec.name(), "outcome", "skipped").increment(skipped);
        return new Redriven(selected.size(), redriven.get(), skipped);
    }

    /**
     * The topic a dead letter came from: the header's topic, with a Spring retry topic ({@code <topic>-retry-N})
     * mapped to its main topic; a catalogue topic or a task type's request topic. Null when unknown, anything else,
     * or a dead-letter topic itself (redriving into a DLT would only move the problem).
     */
    static String originalTopic(Headers headers) {
        String original = DeadLetterHeaders.originalTopic(headers);
        if (original == null) {
            return null;
        }
        String taskTopic = TaskHeaders.requestTopicOf(original);
        if (taskTopic != null) {
            return taskTopic;
        }
        return Topics.ALL.stream()
                .filter(spec -> !Topics.DEAD_LETTERS.contains(spec))
                .map(TopicSpec::name)
                .filter(name -> original.equals(name) || original.startsWith(name + "-retry"))
                .findFirst()
                .orElse(null);
    }

    /** The headers minus the ones describing the failure; everything else (retry bookkeeping included) stays. */
    static Headers withoutErrorHeaders(Headers headers) {
        RecordHeaders kept = new RecordHeaders();
        for (Header header : headers) {
            if (!isErrorHeader(header.key())) {
                kept.add(header);
            }
        }
        return kept;
    }

    static boolean isErrorHeader(String name) {
        return name.equals(DeadLetterHeaders.TALLY_REASON) || ERROR_HEADER_PREFIXES.stream().anyMatch(name::startsWith);
    }

    static TopicSpec<?> deadLetterTopic(String topic) {
        return Topics.DEAD_LETTERS.stream()
                .filter(spec -> spec.name().equals(topic))
                .findFirst()
                .or(() -> Topics.taskDeadLetters(topic))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "'" + topic
                        + "' is not a dead-letter topic; known: " + Topics.DEAD_LETTERS.stream().map(TopicSpec::name).toList()
                        + " and " + TaskHeaders.DEAD_LETTER_PREFIX + "<task type>"));
    }

    // One range per partition from the lowest to the highest wanted offset: a scan, then a filter.
    private static Map<TopicPartition, RawRecordLog.Range> around(String topic, List<Position> positions,
            Map<TopicPartition, RawRecordLog.Range> bounds) {
        Map<TopicPartition, RawRecordLog.Range> ranges = new HashMap<>();
        for (Position position : positions) {
            TopicPartition partition = new TopicPartition(topic, position.partition());
            RawRecordLog.Range limits = bounds.get(partition);
            if (limits == null || position.offset() < limits.from() || position.offset() >= limits.to()) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no dead letter at partition "
                        + position.partition() + " offset " + position.offset() + " of " + topic
                        + (limits == null ? "" : " (it holds offsets " + limits.from() + ".." + (limits.to() - 1) + ")"));
            }
            ranges.merge(partition, new RawRecordLog.Range(position.offset(), position.offset() + 1),
                    (a, b) -> new RawRecordLog.Range(Math.min(a.from(), b.from()), Math.max(a.to(), b.to())));
        }
        return ranges;
    }

    private static Entry entry(ConsumerRecord<byte[], byte[]> record) {
        return new Entry(record.partition(), record.offset(),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                Instant.ofEpochMilli(record.timestamp()), DeadLetterHeaders.originalTopic(record.headers()),
                DeadLetterHeaders.reason(record.headers()), record.value() == null ? 0 : record.value().length);
    }
}
