package io.tally.celebrity.enrich;

import io.tally.celebrity.view.TopicTable;
import io.tally.common.topics.Topics;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;

/**
 * The seed's stream-triggered post-processor: a Spring Kafka batch listener on the entity topic (batches of up to
 * {@code max-poll-records}, the seed's 100) that enriches each written entry with weight and sentiment
 * ({@link Enrichment}) and writes the profile to the compacted profiles topic under the entry's key. It runs because
 * entries were written, not after a fixed delay.
 *
 * <ul>
 *   <li><b>Partial batch success</b>: an entry that cannot be read or enriched is thrown as Spring Kafka's
 *   {@link BatchListenerFailedException} with its index, after the entries before it were written; Spring's
 *   {@code DefaultErrorHandler} then commits those, publishes the bad one to {@code tally.dlt.celebrity-post-processor}
 *   with the reason (no retry: it cannot get better), and delivers the rest of the batch again.</li>
 *   <li><b>Idempotent</b>: an entry whose raw value ({@link Enrichment#hash}) was enriched already is skipped (the
 *   profiles view, plus what this instance wrote since it started, which the view may not have read yet). A
 *   redelivered batch therefore writes nothing twice; a profile written twice anyway (a crash between the write and
 *   the commit, or a view still loading at start) has the same content.</li>
 *   <li>A tombstone (an entity deleted) deletes its profile.</li>
 * </ul>
 * Known gap: the profile write and the offset commit are not one transaction; idempotence covers the replay.
 */
public final class PostProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(PostProcessor.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final Deserializer<CelebrityEntry> entries;
    private final TopicTable<CelebrityProfile> profiles;
    private final KafkaTemplate<String, Object> template;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<String, String> written = new ConcurrentHashMap<>();

    public PostProcessor(Deserializer<CelebrityEntry> entries, TopicTable<CelebrityProfile> profiles,
                         KafkaTemplate<String, Object> template, Clock clock, MeterRegistry meters) {
        this.entries = entries;
        this.profiles = profiles;
        this.template = template;
        this.clock = clock;
        this.meters = meters;
    }

    /** One batch of raw entry records, in offset order per partition. */
    public void onBatch(List<ConsumerRecord<String, byte[]>> batch) {
        List<CompletableFuture<?>> sends = new ArrayList<>();
        int enriched = 0;
        int skipped = 0;
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<String, byte[]> record = batch.get(i);
            if (record.value() == null) {
                written.remove(record.key());
                sends.add(template.send(Topics.CELEBRITY_PROFILES.name(), record.key(), null));
                continue;
            }
            CelebrityProfile profile;
            try {
                CelebrityEntry entry = read(record);
                if (alreadyEnriched(record.key(), Enrichment.hash(entry))) {
                    skipped++;
                    continue;
                }
                profile = Enrichment.enrich(entry, clock.instant());
            } catch (BadEntryException e) {
                // Before the bad one is dead-lettered, what came before it must be written: its offset is committed.
                await(sends);
                meters.counter("tally_celebrities_entries_total", "outcome", "dead-lettered").increment();
                LOG.warn("Entry {} at {}-{}@{} cannot be enriched, dead-lettered: {}", record.key(), record.topic(),
                        record.partition(), record.offset(), e.getMessage());
                throw new BatchListenerFailedException(e.getMessage(), e, i);
            }
            sends.add(template.send(Topics.CELEBRITY_PROFILES.name(), record.key(), profile));
            written.put(record.key(), profile.getEntryHash());
            enriched++;
        }
        await(sends);
        meters.counter("tally_celebrities_entries_total", "outcome", "enriched").increment(enriched);
        meters.counter("tally_celebrities_entries_total", "outcome", "skipped").increment(skipped);
        LOG.info("Post-processed a batch of {}: {} enriched, {} already enriched", batch.size(), enriched, skipped);
    }

    private CelebrityEntry read(ConsumerRecord<String, byte[]> record) {
        CelebrityEntry entry;
        try {
            entry = entries.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            throw new BadEntryException("unreadable entry value: " + e.getMessage(), e);
        }
        String expected = entry.getCelebrityId() + "/" + entry.getSource();
        if (!expected.equals(record.key())) {
            throw new BadEntryException("entry key '" + record.key() + "' is not <celebrityId>/<source> of its value ('"
                    + expected + "')");
        }
        return entry;
    }

    private boolean alreadyEnriched(String key, String hash) {
        if (hash.equals(written.get(key))) {
            return true;
        }
        return profiles.get(key).map(profile -> hash.equals(profile.getEntryHash())).orElse(false);
    }

    private static void await(List<CompletableFuture<?>> sends) {
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing profiles", e);
        } catch (Exception e) {
            // Not a bad entry: the whole batch is delivered again and retried by the error handler.
            throw new IllegalStateException("could not write profiles: " + e.getMessage(), e);
        }
        sends.clear();
    }
}
