package io.tally.chartprocessor;

import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.PickNewTracksOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which tracks of one validated chart (keyed by pipeline) are new, and keeps the decision per job in
 * {@link ChartProcessorTopology#PICKS_STORE}, where the {@code pick-new-tracks} task reads it
 * ({@link PickNewTracksHandler}); the decision and the stores it rests on change in one Streams transaction. A track
 * is new unless the tracks table resolved it (FOUND or NOT_FOUND) or an earlier chart picked it less than
 * {@code requested-ttl} ago. A chart whose source key was processed before picks nothing new: the same job is a
 * redelivery (its pick stays), another job gets an empty pick naming the job that processed the chart.
 * Known gap: the expiry sweep scans the whole requested and picks stores (fine for the tens of thousands of tracks
 * charts bring, not for millions).
 */
final class ChartProcessor implements Processor<String, ChartPublished, Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(ChartProcessor.class);

    private final ProcessorProperties config;
    private final ProcessorMetrics metrics;

    private ProcessorContext<Void, Void> context;
    private TimestampedKeyValueStore<String, TrackResolved> knownTracks;
    private KeyValueStore<String, String> processedCharts;
    private KeyValueStore<String, RequestedTrack> requestedTracks;
    private TimestampedKeyValueStore<String, PickNewTracksOutput> picks;

    ChartProcessor(ProcessorProperties config, ProcessorMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.knownTracks = context.getStateStore(ChartProcessorTopology.KNOWN_TRACKS_STORE);
        this.processedCharts = context.getStateStore(ChartProcessorTopology.PROCESSED_CHARTS_STORE);
        this.requestedTracks = context.getStateStore(ChartProcessorTopology.REQUESTED_TRACKS_STORE);
        this.picks = context.getStateStore(ChartProcessorTopology.PICKS_STORE);
        context.schedule(config.expiryInterval(), PunctuationType.WALL_CLOCK_TIME, this::expireRequested);
    }

    @Override
    public void process(Record<String, ChartPublished> record) {
        ChartPublished chart = record.value();
        String processedBy = processedCharts.get(chart.getSourceKey());
        if (processedBy == null) {
            onNewChart(chart);
        } else if (processedBy.equals(chart.getJobId())) {
            // Redelivered or republished by the run that already picked from it: its pick stands.
            metrics.duplicateChart();
            log.debug("Chart {} of job {} was already processed; nothing to do", chart.getSourceKey(), chart.getJobId());
        } else {
            onRerun(chart, processedBy);
        }
    }

    private void onNewChart(ChartPublished chart) {
        long now = context.currentSystemTimeMs();
        String jobId = chart.getJobId();
        List<ChartTrack> picked = new ArrayList<>();
        for (ChartTrack track : distinctTracks(chart).values()) {
            if (isKnown(track.getTrackKey())) {
                // Drops a leftover request entry: the resolution has arrived, the table now answers.
                requestedTracks.delete(track.getTrackKey());
                metrics.knownTrack();
            } else if (isRequested(track.getTrackKey(), now)) {
                metrics.requestedTrack();
            } else {
                requestedTracks.put(track.getTrackKey(), new RequestedTrack(jobId, now));
                picked.add(track);
                metrics.newTrack();
            }
        }
        processedCharts.put(chart.getSourceKey(), jobId);
        picks.put(jobId, ValueAndTimestamp.make(PickNewTracksOutput.newBuilder().setTracks(picked)
                .setChartSize(chart.getTracks().size()).setProcessedBy(null).build(), now));
        metrics.newChart();
    }

    private void onRerun(ChartPublished chart, String processedBy) {
        long now = context.currentSystemTimeMs();
        String jobId = chart.getJobId();
        picks.put(jobId, ValueAndTimestamp.make(PickNewTracksOutput.newBuilder().setTracks(List.of())
                .setChartSize(chart.getTracks().size()).setProcessedBy(processedBy).build(), now));
        // An empty fan-out: the new run creates no search work and ends instead of waiting for elements.
        metrics.rerunChart();
    }

    /** The chart's tracks by track key, first occurrence wins, in chart order. */
    private static Map<String, ChartTrack> distinctTracks(ChartPublished chart) {
        Map<String, ChartTrack> tracks = new LinkedHashMap<>();
        for (ChartTrack track : chart.getTracks()) {
            tracks.putIfAbsent(track.getTrackKey(), track);
        }
        return tracks;
    }

    private boolean isKnown(String trackKey) {
        ValueAndTimestamp<TrackResolved> resolved;
        try {
            resolved = knownTracks.get(trackKey);
        } catch (SerializationException e) {
            // A global store restores raw bytes without the deserialization handler, so one corrupt tracks record
            // must not dead-letter every chart listing that track: searching it again is the safe answer.
            log.warn("Unreadable tracks-table entry for {}; treating the track as unknown: {}", trackKey, e.getMessage());
            return false;
        }
        if (resolved == null || resolved.value() == null) {
            return false;
        }
        // FAILED is a search that did not get an answer: the next chart asks again.
        TrackResolution resolution = resolved.value().getResolution();
        return resolution == TrackResolution.FOUND || resolution == TrackResolution.NOT_FOUND;
    }

    private boolean isRequested(String trackKey, long now) {
        RequestedTrack requested = requestedTracks.get(trackKey);
        return requested != null && !isExpired(requested, now);
    }

    private boolean isExpired(RequestedTrack requested, long now) {
        return now - requested.requestedAtMillis() >= config.requestedTtl().toMillis();
    }

    private void expireRequested(long now) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, RequestedTrack> all = requestedTracks.all()) {
            while (all.hasNext()) {
                KeyValue<String, RequestedTrack> entry = all.next();
                if (isExpired(entry.value, now) || isKnown(entry.key)) {
                    expired.add(entry.key);
                }
            }
        }
        // Deleted after the scan: the iterator does not promise to survive writes to its own store.
        expired.forEach(requestedTracks::delete);
        expirePicks(now);
        if (!expired.isEmpty()) {
            metrics.expired(expired.size());
            log.debug("Forgot {} requested tracks that resolved or outlived {}", expired.size(), config.requestedTtl());
        }
    }

    /** Forgets the picks of jobs that asked longer than {@code requested-ttl} ago: their pick stage is long over. */
    private void expirePicks(long now) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<PickNewTracksOutput>> all = picks.all()) {
            all.forEachRemaining(entry -> {
                if (now - entry.value.timestamp() >= config.requestedTtl().toMillis()) {
                    expired.add(entry.key);
                }
            });
        }
        expired.forEach(picks::delete);
    }
}
