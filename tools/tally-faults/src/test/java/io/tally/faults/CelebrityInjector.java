package io.tally.faults;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.tasks.celebrity.CelebrityEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The duplicates of {@link CelebrityWeeklyFaultTest}, injected while {@code pipelines/celebrity-weekly.yml} runs, the
 * way {@link FanJoin.Duplicator} does it: every committed request of the {@link #DUPLICATED_TASKS} is re-sent byte for
 * byte with every header (same {@code ce_id}: the SDK runs it again and answers twice, as after a redelivery), and
 * every {@link #DUPLICATE_ENTRY_EVERY}th entry written to the compacted entity topic is re-sent as it was (a producer
 * retry of a source task). Copies carry {@link ExactlyOnceChecker#INJECTED_HEADER} so they are not copied again.
 * It also counts, per job, the entries it saw (so a test can time a kill by progress) and the copies it made.
 * Known gap: a copy is sent as soon as its original is read, so it never lands after a later run's write of the key.
 */
final class CelebrityInjector implements AutoCloseable {

    /** Two of the four sources and the quality check: their requests are sent twice. */
    static final List<String> DUPLICATED_TASKS = List.of("collect-tmdb", "collect-social", "check-celebrity-quality");
    /** Every 10th entry record (of those the sources wrote, per job) is sent twice. */
    static final int DUPLICATE_ENTRY_EVERY = 10;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, AtomicLong> entriesSeen = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requestsCopied = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> entriesCopied = new ConcurrentHashMap<>();
    private final AtomicLong profilesSeen = new AtomicLong();
    private final Set<String> copied = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    CelebrityInjector(FaultStack stack) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-faults-celebrity-injector-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = Stream.concat(
                        DUPLICATED_TASKS.stream().map(TaskHeaders::requestTopic),
                        Stream.of(Topics.CELEBRITY_ENTRIES.name(), Topics.CELEBRITY_PROFILES.name()))
                .flatMap(topic -> consumer.partitionsFor(topic).stream())
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the positions now: nothing sent after the constructor returns is missed.
        partitions.forEach(consumer::position);
        KafkaProducer<String, byte[]> producer = stack.rawProducer();
        Deserializer<CelebrityEntry> entries = stack.serdes.deserializer(CelebrityEntry.class);
        thread = new Thread(() -> {
            try (consumer; producer) {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        if (record.headers().lastHeader(ExactlyOnceChecker.INJECTED_HEADER) == null) {
                            onRecord(record, entries, producer);
                        }
                    }
                }
            }
        }, "tally-faults-celebrity-injector");
        thread.setDaemon(true);
        thread.start();
    }

    private void onRecord(ConsumerRecord<String, byte[]> record, Deserializer<CelebrityEntry> entries,
                          KafkaProducer<String, byte[]> producer) {
        if (record.topic().equals(Topics.CELEBRITY_PROFILES.name())) {
            profilesSeen.incrementAndGet();
            return;
        }
        if (record.topic().equals(Topics.CELEBRITY_ENTRIES.name())) {
            if (record.value() == null) {
                return;
            }
            String jobId = entries.deserialize(record.topic(), record.headers(), record.value()).getJobId();
            long seen = counter(entriesSeen, jobId).incrementAndGet();
            if (seen % DUPLICATE_ENTRY_EVERY == 0) {
                send(record, producer);
                counter(entriesCopied, jobId).incrementAndGet();
            }
            return;
        }
        // A task request, keyed by its job id: each distinct ce_id (an engine retry has its own) is copied once.
        String ceId = header(record, TaskHeaders.CE_ID);
        if (ceId != null && copied.add(ceId)) {
            send(record, producer);
            counter(requestsCopied, record.key()).incrementAndGet();
        }
    }

    private static void send(ConsumerRecord<String, byte[]> record, KafkaProducer<String, byte[]> producer) {
        ProducerRecord<String, byte[]> copy = new ProducerRecord<>(record.topic(), record.partition(), record.key(),
                record.value(), new RecordHeaders(record.headers().toArray()));
        copy.headers().add(new RecordHeader(ExactlyOnceChecker.INJECTED_HEADER,
                "duplicate".getBytes(StandardCharsets.UTF_8)));
        producer.send(copy);
    }

    private static AtomicLong counter(Map<String, AtomicLong> counters, String jobId) {
        return counters.computeIfAbsent(jobId, id -> new AtomicLong());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Entry records of {@code jobId} the sources wrote so far (copies not counted; a re-run's rewrites are). */
    long entriesSeen(String jobId) {
        return counter(entriesSeen, jobId).get();
    }

    /** Task requests of {@code jobId} sent twice. */
    long requestsCopied(String jobId) {
        return counter(requestsCopied, jobId).get();
    }

    /** Entry records of {@code jobId} sent twice. */
    long entriesCopied(String jobId) {
        return counter(entriesCopied, jobId).get();
    }

    /** Profile records written so far, of every job. */
    long profilesSeen() {
        return profilesSeen.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }
}
