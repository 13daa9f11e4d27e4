package io.tally.playlist;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.Stages;
import io.tally.common.kafka.OutcomePublisher;
import io.tally.common.topics.Topics;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.playlist.PlaylistMetrics.Outcome;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * The playlist service's delivery consumer (ADR 0009): a plain Spring Kafka listener (its own group, read_committed)
 * that makes each {@code PlaylistRequested} through the adapter, outside any Streams transaction, then writes
 * {@code PlaylistCreated} and the SUCCEEDED {@code playlist} stage report with the input offset in one short
 * transaction.
 * <p>
 * Known gap: the completed-job path that wrote the intents is gone (the chart pipeline's playlist is the
 * {@code build-playlist} task now), so nothing in Tally writes {@code tally.playlists.requested} any more; this
 * consumer only delivers the intents still on it and those redriven from {@code tally.dlt.playlist-service}.
 * <p>
 * Delivery is at-least-once, and safe to repeat because the adapters are idempotent per sourceRef (the file adapter
 * rewrites the same bytes; the YouTube adapter finds its playlist by the marker line and inserts only missing
 * videos). An adapter failure sends the intent through Spring Kafka's retry topics; after the last attempt it is on
 * {@code tally.dlt.playlist-service} and {@link #onDeadLetter} reports the stage FAILED with the reason.
 */
public class PlaylistDelivery {

    /** Listener id of the main endpoint; retry and DLT endpoints derive theirs from it. */
    public static final String LISTENER_ID = "playlist-delivery";
    /** Bean and method name of the dead-letter handler, for the retry topic configuration. */
    public static final String BEAN_NAME = "playlistDelivery";
    public static final String DLT_METHOD = "onDeadLetter";

    private static final Logger log = LoggerFactory.getLogger(PlaylistDelivery.class);

    private final PlaylistAdapter adapter;
    private final PlaylistMetrics metrics;
    private final OutcomePublisher outcomes;

    PlaylistDelivery(PlaylistAdapter adapter, PlaylistMetrics metrics, OutcomePublisher outcomes) {
        this.adapter = adapter;
        this.metrics = metrics;
        this.outcomes = outcomes;
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, groupId = "${tally.playlist.delivery.group-id}",
            topics = "#{T(io.tally.common.topics.Topics).PLAYLISTS_REQUESTED.name()}")
    public void onRequest(ConsumerRecord<String, PlaylistRequested> record, Consumer<?, ?> consumer) {
        PlaylistRequested intent = validated(record);
        PlaylistDraft draft = PlaylistIntents.draft(intent);
        CreatedPlaylist made = adapter.create(draft);
        PlaylistCreated created = PlaylistCreated.newBuilder().setJobId(intent.getJobId()).setSourceRef(intent.getSourceRef())
                .setPlaylistId(made.playlistId()).setTitle(draft.title()).setUrl(made.url())
                .setEntryCount(draft.entries().size()).setSkippedCount(draft.skippedCount()).setAdapter(adapter.name())
                .setCreatedAt(Instant.now()).build();
        StageReported report = Stages.report(intent.getJobId(), Stages.PLAYLIST, StageState.SUCCEEDED,
                draft.entries().size(), (long) draft.chartSize(), made.url());
        outcomes.publish(record, consumer, List.of(
                new ProducerRecord<>(Topics.PLAYLISTS_CREATED.name(), intent.getJobId(), created),
                new ProducerRecord<>(Topics.STAGE_REPORTED.name(), intent.getJobId(), report)));
        metrics.made(draft);
        log.info("Job {}: playlist '{}' with {} tracks ({} skipped) at {}", intent.getJobId(), draft.title(),
                draft.entries().size(), draft.skippedCount(), made.url());
    }

    /**
     * Handles an intent whose adapter still failed after the last retry: the {@code playlist} stage is reported
     * FAILED with the reason (so the job's notification says so). The intent stays on the dead-letter topic, from
     * where a redrive puts it back on {@code tally.playlists.requested}. Other records there (poison input of the
     * topology, failed jobs) are not intents and are skipped.
     */
    public void onDeadLetter(ConsumerRecord<String, Object> record, Consumer<?, ?> consumer) {
        if (!(record.value() instanceof PlaylistRequested intent)) {
            return;
        }
        String reason = "%s adapter could not make the playlist of '%s': %s".formatted(adapter.name(), intent.getSourceRef(),
                DeadLetterHeaders.reason(record.headers()));
        log.warn("Job {}: {}", intent.getJobId(), reason);
        StageReported report = Stages.report(intent.getJobId(), Stages.PLAYLIST, StageState.FAILED, 0,
                (long) intent.getChartSize(), reason);
        outcomes.publish(record, consumer, List.of(new ProducerRecord<>(Topics.STAGE_REPORTED.name(), intent.getJobId(), report)));
        metrics.outcome(Outcome.FAILED);
    }

    private static PlaylistRequested validated(ConsumerRecord<String, PlaylistRequested> record) {
        PlaylistRequested intent = record.value();
        if (intent == null) {
            throw new PoisonRecordException("Playlist request at offset %d has no value (tombstone)".formatted(record.offset()));
        }
        if (!intent.getJobId().equals(record.key())) {
            throw new PoisonRecordException("Playlist request key '%s' differs from its jobId '%s'".formatted(record.key(), intent.getJobId()));
        }
        if (intent.getSourceRef().isBlank() || intent.getEntries().isEmpty()) {
            throw new PoisonRecordException("Playlist request '%s' needs a sourceRef and at least one entry".formatted(record.key()));
        }
        return intent;
    }
}
