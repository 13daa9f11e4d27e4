package io.tally.chartprocessor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.testsupport.TallyTopologyDriver;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The chart processor topology in a {@link TallyTopologyDriver}, with shorthands for the charts and resolutions the
 * tests send and for the picks the processor keeps per job.
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

    /** The picks store: job id → the job's pick, with when it was picked. */
    KeyValueStore<String, ValueAndTimestamp<PickNewTracksOutput>> picks() {
        return driver.getTimestampedKeyValueStore(ChartProcessorTopology.PICKS_STORE);
    }

    /** The pick kept for {@code jobId}, or null when there is none. */
    PickNewTracksOutput pick(String jobId) {
        ValueAndTimestamp<PickNewTracksOutput> picked = picks().get(jobId);
        return picked == null ? null : picked.value();
    }

    /** Track keys of the pick kept for {@code jobId}, in the order picked. */
    List<String> pickedKeys(String jobId) {
        PickNewTracksOutput picked = pick(jobId);
        assertThat(picked).as("pick of %s", jobId).isNotNull();
        return picked.getTracks().stream().map(ChartTrack::getTrackKey).toList();
    }

    /** How many jobs have a pick. */
    long pickCount() {
        try (KeyValueIterator<String, ValueAndTimestamp<PickNewTracksOutput>> all = picks().all()) {
            long count = 0;
            for (; all.hasNext(); all.next()) {
                count++;
            }
            return count;
        }
    }

    KeyValueStore<String, RequestedTrack> requested() {
        return driver.getKeyValueStore(ChartProcessorTopology.REQUESTED_TRACKS_STORE);
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
