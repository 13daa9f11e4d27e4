package io.tally.playlist;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.Stages;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.StageState;
import io.tally.events.TrackResolved;
import io.tally.playlist.PlaylistMetrics.Outcome;
import io.tally.playlist.PlaylistStoreSerdes.PendingJob;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one playlist per chart from validated JobCompleted records keyed by sourceRef. A chart that already has a
 * playlist (in {@link PlaylistTopology#PLAYLISTS_STORE}) gets none again; a job whose chart or tracks are not in the
 * global tables yet waits in {@link PlaylistTopology#PENDING_STORE} and is re-checked on a wall-clock punctuator until
 * everything is there or the resolve wait passes.
 * A playlist that is due becomes a {@code PlaylistRequested} (the delivery intent) and a placeholder entry (no id or
 * URL yet) in the playlists store, in the task's transaction; {@link PlaylistDelivery} calls the adapter outside it
 * (ADR 0009), so the stream thread never waits on YouTube.
 * A chart that never shows up is handled here, not thrown: a FAILED stage report plus the JobCompleted (re-encoded as
 * it is on its topic, with {@code __streams.errors.*} headers) forwarded to the dead-letter topic, so the same path
 * serves records and punctuations (the KIP-1034 handler cannot dead-letter from a punctuation).
 */
final class PlaylistProcessor implements Processor<String, JobCompleted, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(PlaylistProcessor.class);

    private final PlaylistProperties config;
    private final String adapterName;
    private final PlaylistMetrics metrics;
    private final Serializer<JobCompleted> jobSerializer;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ChartPublished> charts;
    private KeyValueStore<String, TrackResolved> tracks;
    private KeyValueStore<String, PendingJob> pending;
    private KeyValueStore<String, PlaylistCreated> playlists;

    PlaylistProcessor(PlaylistProperties config, String adapterName, PlaylistMetrics metrics,
                      Serializer<JobCompleted> jobSerializer) {
        this.config = config;
        this.adapterName = adapterName;
        this.metrics = metrics;
        this.jobSerializer = jobSerializer;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.charts = context.getStateStore(PlaylistTopology.CHARTS_STORE);
        this.tracks = context.getStateStore(PlaylistTopology.TRACKS_STORE);
        this.pending = context.getStateStore(PlaylistTopology.PENDING_STORE);
        this.playlists = context.getStateStore(PlaylistTopology.PLAYLISTS_STORE);
        context.schedule(config.recheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::recheckPending);
    }

    @Override
    public void process(Record<String, JobCompleted> record) {
        JobCompleted job = record.value();
        long now = context.currentSystemTimeMs();
        if (job.getState() == JobState.TIMED_OUT) {
            report(job, StageState.SKIPPED, 0, null, "job timed out: no playlist", now);
            metrics.outcome(Outcome.SKIPPED);
            return;
        }
        if (pending.get(job.getJobId()) != null) {
            log.debug("Job {} is redelivered while it waits for its chart; it is already pending", job.getJobId());
            return;
        }
        long deadline = now + config.resolveWait().toMillis();
        if (!tryMake(job, now >= deadline, now)) {
            pending.put(job.getJobId(), new PendingJob(deadline, job));
        }
    }

    private void recheckPending(long now) {
        List<KeyValue<String, PendingJob>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, PendingJob> all = pending.all()) {
            all.forEachRemaining(waiting::add);
        }
        for (KeyValue<String, PendingJob> entry : waiting) {
            if (tryMake(entry.value.job(), now >= entry.value.deadlineMs(), now)) {
                pending.delete(entry.key);
            }
        }
    }

    /** Makes the playlist if it can; false means the job has to wait for its chart or tracks. */
    private boolean tryMake(JobCompleted job, boolean deadlinePassed, long now) {
        String sourceRef = job.getSourceRef();
        PlaylistCreated existing = playlists.get(sourceRef);
        if (existing != null) {
            if (existing.getJobId().equals(job.getJobId())) {
                log.debug("Job {} is redelivered; its playlist {} exists and was reported", job.getJobId(), existing.getUrl());
            } else {
                String detail = existing.getUrl().isBlank()
                        ? "playlist already requested by job " + existing.getJobId()
                        : "playlist already exists: " + existing.getUrl();
                report(job, StageState.SKIPPED, 0, null, detail, now);
                metrics.outcome(Outcome.EXISTING);
            }
            return true;
        }
        ChartPublished chart = charts.get(sourceRef);
        if (chart == null) {
            if (!deadlinePassed) {
                return false;
            }
            fail(job, null, "chart '%s' is not in %s after waiting %s".formatted(sourceRef, Topics.CHARTS_PUBLISHED.name(),
                    config.resolveWait()), now);
            return true;
        }
        PlaylistBuilder.Result result = PlaylistBuilder.build(chart, tracks::get);
        if (result.unresolved() > 0 && !deadlinePassed) {
            return false;
        }
        PlaylistDraft draft = result.draft();
        if (result.unresolved() > 0) {
            log.info("Job {}: making the playlist of {} without {} unresolved tracks after waiting {}", job.getJobId(),
                    sourceRef, result.unresolved(), config.resolveWait());
        }
        if (draft.entries().isEmpty()) {
            report(job, StageState.SKIPPED, 0, (long) draft.chartSize(),
                    "no track of the chart has a video (%d skipped)".formatted(draft.skippedCount()), now);
            metrics.outcome(Outcome.SKIPPED);
            return true;
        }
        // Only the decision is made here: the adapter is called by PlaylistDelivery, outside this transaction
        // (ADR 0009). The store entry is written now, so a redelivery or a re-run never asks for a second playlist.
        PlaylistRequested intent = PlaylistIntents.of(job.getJobId(), draft, now);
        playlists.put(sourceRef, PlaylistCreated.newBuilder().setJobId(job.getJobId()).setSourceRef(sourceRef)
                .setPlaylistId("").setTitle(draft.title()).setUrl("").setEntryCount(draft.entries().size())
                .setSkippedCount(draft.skippedCount()).setAdapter(adapterName).setCreatedAt(Instant.ofEpochMilli(now)).build());
        context.forward(new Record<>(job.getJobId(), intent, now));
        metrics.outcome(Outcome.REQUESTED);
        log.info("Job {}: playlist '{}' with {} tracks ({} skipped) requested", job.getJobId(), draft.title(),
                draft.entries().size(), draft.skippedCount());
        return true;
    }

    private void fail(JobCompleted job, Long total, String reason, long now) {
        log.warn("Job {}: {}", job.getJobId(), reason);
        report(job, StageState.FAILED, 0, total, reason, now);
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.STREAMS_MESSAGE, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.STREAMS_EXCEPTION, PlaylistAdapterException.class.getName().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.STREAMS_TOPIC, Topics.JOB_COMPLETED.name().getBytes(StandardCharsets.UTF_8));
        byte[] original = jobSerializer.serialize(Topics.JOB_COMPLETED.name(), job);
        context.forward(new Record<String, Object>(job.getJobId(), original, now, headers));
        metrics.outcome(Outcome.FAILED);
    }

    private void report(JobCompleted job, StageState state, long done, Long total, String detail, long now) {
        var report = Stages.report(job.getJobId(), Stages.PLAYLIST, state, done, total, detail);
        report.setReportedAt(Instant.ofEpochMilli(now));
        context.forward(new Record<>(job.getJobId(), report, now));
    }
}
