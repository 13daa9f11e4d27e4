package io.tally.faults;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.tasks.celebrity.CelebrityEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The duplicates of {@link CelebrityWeeklyFaultTest}, injected while {@code pipelines/celebrity-weekly.yml} runs, the
 * way {@link FanJoin.Duplicator} does it (both through a {@link RecordTap}): every committed request of the {@link #DUPLICATED_TASKS} is re-sent byte for
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

    private final Map<String, AtomicLong> entriesSeen = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requestsCopied = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> entriesCopied = new ConcurrentHashMap<>();
    private final AtomicLong profilesSeen = new AtomicLong();
    private final Set<String> copied = ConcurrentHashMap.newKeySet();
    private final Deserializer<CelebrityEntry> entries;
    private final RecordTap tap;

    CelebrityInjector(FaultStack stack) {
        entries = stack.serdes.deserializer(CelebrityEntry.class);
        tap = new RecordTap(stack, "celebrity-injector", Stream.concat(
                        DUPLICATED_TASKS.stream().map(TaskHeaders::requestTopic),
                        Stream.of(Topics.CELEBRITY_ENTRIES.name(), Topics.CELEBRITY_PROFILES.name())).toList(),
                this::onRecord);
    }

    private void onRecord(ConsumerRecord<String, byte[]> record) {
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
                tap.copy(record);
                counter(entriesCopied, jobId).incrementAndGet();
            }
            return;
        }
        // A task request, keyed by its job id: each distinct ce_id (an engine retry has its own) is copied once.
        String ceId = RecordTap.header(record, TaskHeaders.CE_ID);
        if (ceId != null && copied.add(ceId)) {
            tap.copy(record);
            counter(requestsCopied, record.key()).incrementAndGet();
        }
    }

    private static AtomicLong counter(Map<String, AtomicLong> counters, String jobId) {
        return counters.computeIfAbsent(jobId, id -> new AtomicLong());
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
        tap.close();
    }
}
