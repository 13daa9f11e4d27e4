package io.tally.chartprocessor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobCreated;
import io.tally.events.StageReported;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.TrackSearchRequested;
import io.tally.testsupport.TallyTopologyDriver;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The chart processor topology in a {@link TallyTopologyDriver}, with shorthands for the charts and resolutions the
 * tests send.
 */
final class ProcessorDriver implements AutoCloseable {

    static final Instant START = TallyTopologyDriver.START;
    static final ProcessorProperties CONFIG = new ProcessorProperties(Duration.ofHours(1), Duration.ofMinutes(1));

    final TallyTopologyDriver tally = new TallyTopologyDriver("chart-processor", Topics.CHART_PROCESSOR_DLT,
            (properties, serdes, meters) -> ChartProcessorTopology.build(properties, CONFIG, serdes, meters));
    final TopologyTestDriver driver = tally.driver();
    final AvroSerdes serdes = tally.serdes();
    final SimpleMeterRegistry meters = tally.meters();
    final TestInputTopic<String, ChartPublished> charts = tally.input(Topics.CHARTS_PUBLISHED);
    final TestInputTopic<String, byte[]> rawCharts = tally.rawInput(Topics.CHARTS_PUBLISHED);
    final TestInputTopic<String, TrackResolved> tracks = tally.input(Topics.TRACKS);
    final TestInputTopic<String, byte[]> rawTracks = tally.rawInput(Topics.TRACKS);
    final TestOutputTopic<String, JobCreated> jobs = tally.output(Topics.JOB_CREATED);
    final TestOutputTopic<String, TrackSearchRequested> requests = tally.output(Topics.SEARCH_REQUESTS);
    final TestOutputTopic<String, StageReported> stages = tally.output(Topics.STAGE_REPORTED);
    final TestOutputTopic<String, byte[]> deadLetters = tally.rawOutput(Topics.CHART_PROCESSOR_DLT);

    /** A chart of the beatport-chart pipeline listing the given track keys in order. */
    static ChartPublished chart(String sourceKey, String jobId, String... trackKeys) {
        List<ChartTrack> tracks = IntStream.range(0, trackKeys.length)
                .mapToObj(i -> track(i + 1, trackKeys[i]))
                .toList();
        return ChartPublished.newBuilder().setSourceKey(sourceKey).setJobId(jobId).setTriggerId("trigger-" + jobId)
                .setPipeline("beatport-chart").setChartName("Beatport Top 100").setChartDate(LocalDate.of(2026, 11, 22))
                .setTracks(tracks).setPublishedAt(START).build();
    }

    static ChartTrack track(int position, String trackKey) {
        return ChartTrack.newBuilder().setPosition(position).setTrackKey(trackKey).setArtists(List.of("Artist " + trackKey))
                .setTitle("Title " + trackKey).setMix("Extended Mix").build();
    }

    void publish(ChartPublished chart) {
        charts.pipeInput(chart.getSourceKey(), chart);
    }

    void resolved(String trackKey, TrackResolution resolution) {
        tracks.pipeInput(trackKey, TrackResolved.newBuilder().setTrackKey(trackKey).setArtists(List.of("Artist " + trackKey))
                .setTitle("Title " + trackKey).setResolution(resolution)
                .setVideoId(resolution == TrackResolution.FOUND ? "video-" + trackKey : null).setSource("offline-catalog")
                .setError(resolution == TrackResolution.FAILED ? "quota exceeded" : null).setResolvedAt(START).build());
    }

    /** Track keys of the search requests emitted since the last read. */
    List<String> requestedKeys() {
        return requests.readValuesToList().stream().map(TrackSearchRequested::getTrackKey).toList();
    }

    void advance(Duration duration) {
        tally.advance(duration);
    }

    double counter(String name) {
        return meters.get(name).counter().count();
    }

    double counter(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).counter().count();
    }

    @Override
    public void close() {
        tally.close();
    }
}
