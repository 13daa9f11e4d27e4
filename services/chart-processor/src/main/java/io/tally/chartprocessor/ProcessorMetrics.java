package io.tally.chartprocessor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The chart processor's own metrics. Known gap: counters are bumped when a record is processed, so a transaction that
 * aborts and is retried after a crash counts its chart again; the Kafka topics, not these counters, are exact.
 */
final class ProcessorMetrics {

    static final String CHARTS = "tally.processor.charts";
    static final String TRACKS = "tally.processor.tracks";
    static final String EXPIRED = "tally.processor.requested.expired";

    private final Counter newCharts;
    private final Counter duplicateCharts;
    private final Counter rerunCharts;
    private final Counter newTracks;
    private final Counter knownTracks;
    private final Counter requestedTracks;
    private final Counter expired;

    ProcessorMetrics(MeterRegistry registry) {
        newCharts = chartCounter(registry, "new", "A chart seen for the first time: its new tracks are picked");
        duplicateCharts = chartCounter(registry, "duplicate", "A chart redelivered or republished by the same job");
        rerunCharts = chartCounter(registry, "rerun", "A processed chart arriving with a new job: an empty pick");
        newTracks = trackCounter(registry, "new", "A track of a new chart that was picked for search");
        knownTracks = trackCounter(registry, "known", "A track already in the tracks table (FOUND or NOT_FOUND)");
        requestedTracks = trackCounter(registry, "requested", "A track already picked by another job and not resolved yet");
        expired = Counter.builder(EXPIRED).description("Requested tracks forgotten because they resolved or outlived the requested TTL")
                .register(registry);
    }

    private static Counter chartCounter(MeterRegistry registry, String outcome, String description) {
        return Counter.builder(CHARTS).tag("outcome", outcome).description(description).register(registry);
    }

    private static Counter trackCounter(MeterRegistry registry, String result, String description) {
        return Counter.builder(TRACKS).tag("result", result).description(description).register(registry);
    }

    void newChart() {
        newCharts.increment();
    }

    void duplicateChart() {
        duplicateCharts.increment();
    }

    void rerunChart() {
        rerunCharts.increment();
    }

    void newTrack() {
        newTracks.increment();
    }

    void knownTrack() {
        knownTracks.increment();
    }

    void requestedTrack() {
        requestedTracks.increment();
    }

    void expired(int count) {
        expired.increment(count);
    }
}
