package io.tally.playlist;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.StageReported;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.testsupport.TallyTopologyDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The deciding playlist topology in a {@link TallyTopologyDriver}, followed by the delivery consumer's logic ({@link PlaylistDelivery}) with a {@link RecordingAdapter}: the
 * intents the topology writes are delivered when a test reads the adapter calls or the outputs, and the outcomes
 * appear next to the topology's own outputs. A delivery that fails stands for one whose retries are exhausted: its
 * dead-letter handler runs at once.
 */
final class PlaylistDriver implements AutoCloseable {

    static final Instant START = TallyTopologyDriver.START;
    static final String SOURCE = "beatport/2024/08/12/top100";
    static final Duration RESOLVE_WAIT = Duration.ofSeconds(30);

    // The topology's metrics and the delivery's share one registry, as in the service.
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TallyTopologyDriver tally;
    final AvroSerdes serdes;
    final RecordingAdapter adapter = new RecordingAdapter();
    final TopologyTestDriver driver;
    final TestInputTopic<String, JobCompleted> completed;
    final TestInputTopic<String, byte[]> rawCompleted;
    final TestInputTopic<String, ChartPublished> charts;
    final TestInputTopic<String, TrackResolved> tracks;
    final TestInputTopic<String, byte[]> rawCharts;
    final TestInputTopic<String, byte[]> rawTracks;
    final TestOutputTopic<String, PlaylistRequested> requests;
    final Outputs<PlaylistCreated> playlists;
    final Outputs<StageReported> stages;
    final TestOutputTopic<String, byte[]> deadLetters;
    final List<PlaylistRequested> deliveredIntents = new ArrayList<>();
    final List<PlaylistRequested> deadLetteredIntents = new ArrayList<>();
    private final PlaylistMetrics metrics;
    private final PlaylistDelivery delivery;
    private long offset;

    PlaylistDriver() {
        PlaylistProperties config = PlaylistProperties.of(List.of("beatport-chart"), RESOLVE_WAIT, Duration.ofSeconds(1),
                PlaylistProperties.AdapterKind.FILE, new PlaylistProperties.File(Path.of("unused")),
                new PlaylistProperties.YouTube(java.net.URI.create("http://unused"), "", "public", 1, Duration.ZERO,
                        Duration.ZERO, Duration.ofSeconds(1)));
        metrics = new PlaylistMetrics(meters, adapter.name());
        delivery = new PlaylistDelivery(adapter, metrics, (input, consumer, outcomes) -> outcomes.forEach(this::collect));
        tally = new TallyTopologyDriver("playlist-service", Topics.PLAYLIST_SERVICE_DLT,
                (properties, registrySerdes, registryMeters) -> PlaylistTopology.build(config, registrySerdes,
                        adapter.name(), metrics));
        driver = tally.driver();
        serdes = tally.serdes();
        completed = tally.input(Topics.JOB_COMPLETED);
        rawCompleted = tally.rawInput(Topics.JOB_COMPLETED);
        charts = tally.input(Topics.CHARTS_PUBLISHED);
        tracks = tally.input(Topics.TRACKS);
        rawCharts = tally.rawInput(Topics.CHARTS_PUBLISHED);
        rawTracks = tally.rawInput(Topics.TRACKS);
        requests = tally.output(Topics.PLAYLISTS_REQUESTED);
        playlists = new Outputs<>(null);
        stages = new Outputs<>(tally.output(Topics.STAGE_REPORTED));
        deadLetters = tally.rawOutput(Topics.PLAYLIST_SERVICE_DLT);
    }

    /** Delivers the intents written so far, as the delivery consumer would, and returns every adapter call. */
    List<PlaylistDraft> calls() {
        for (TestRecord<String, PlaylistRequested> record : requests.readRecordsToList()) {
            deliver(record.key(), record.value());
        }
        return adapter.calls;
    }

    /** Puts the dead-lettered intents back on their topic (a redrive) and delivers them again. */
    void redriveDeadLetteredIntents() {
        List<PlaylistRequested> dead = List.copyOf(deadLetteredIntents);
        deadLetteredIntents.clear();
        dead.forEach(intent -> deliver(intent.getJobId(), intent));
    }

    private void deliver(String key, PlaylistRequested intent) {
        deliveredIntents.add(intent);
        ConsumerRecord<String, PlaylistRequested> record = new ConsumerRecord<>(Topics.PLAYLISTS_REQUESTED.name(), 0, offset++, key, intent);
        try {
            delivery.onRequest(record, null);
        } catch (RuntimeException e) {
            ConsumerRecord<String, Object> dead = new ConsumerRecord<>(Topics.PLAYLIST_SERVICE_DLT.name(), 0, offset++, key, intent);
            dead.headers().add(DeadLetterHeaders.SPRING_MESSAGE, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            deadLetteredIntents.add(intent);
            delivery.onDeadLetter(dead, null);
        }
    }

    private void collect(ProducerRecord<String, Object> outcome) {
        if (outcome.value() instanceof PlaylistCreated created) {
            playlists.delivered.add(new TestRecord<>(outcome.key(), created));
        } else if (outcome.value() instanceof StageReported report) {
            stages.delivered.add(new TestRecord<>(outcome.key(), report));
        }
    }

    /** One output as a test reads it: what the topology wrote, then what the delivery wrote; reading drains both. */
    final class Outputs<V> {

        private final TestOutputTopic<String, V> topology;
        private final List<TestRecord<String, V>> delivered = new ArrayList<>();

        private Outputs(TestOutputTopic<String, V> topology) {
            this.topology = topology;
        }

        List<TestRecord<String, V>> readRecordsToList() {
            calls();
            List<TestRecord<String, V>> all = new ArrayList<>(topology == null ? List.of() : topology.readRecordsToList());
            all.addAll(delivered);
            delivered.clear();
            return all;
        }

        List<V> readValuesToList() {
            return readRecordsToList().stream().map(TestRecord::value).toList();
        }

        boolean isEmpty() {
            calls();
            return (topology == null || topology.isEmpty()) && delivered.isEmpty();
        }
    }

    /** A chart of four tracks, listed out of order: positions 3, 1, 4, 2 with keys t3, t1, t4, t2. */
    void publishChart() {
        charts.pipeInput(SOURCE, chart(SOURCE, List.of(track(3), track(1), track(4), track(2))));
    }

    static ChartPublished chart(String sourceRef, List<ChartTrack> tracks) {
        return ChartPublished.newBuilder().setSourceKey(sourceRef).setJobId("scrape-job").setTriggerId("trigger")
                .setPipeline("beatport-chart").setChartName("Beatport Top 100").setChartDate(LocalDate.of(2024, 8, 12))
                .setTracks(tracks).setPublishedAt(START).build();
    }

    static ChartTrack track(int position) {
        return ChartTrack.newBuilder().setPosition(position).setTrackKey("t" + position)
                .setArtists(List.of("Artist " + position, "Feat " + position)).setTitle("Title " + position).build();
    }

    void resolve(int position, TrackResolution resolution) {
        tracks.pipeInput("t" + position, TrackResolved.newBuilder().setTrackKey("t" + position)
                .setArtists(List.of("Artist " + position)).setTitle("Title " + position).setResolution(resolution)
                .setVideoId(resolution == TrackResolution.FOUND ? "video" + position : null).setSource("offline-catalog")
                .setError(resolution == TrackResolution.FAILED ? "search failed" : null).setResolvedAt(START).build());
    }

    /** t1 and t3 FOUND, t2 NOT_FOUND, t4 FAILED. */
    void resolveAll() {
        resolve(1, TrackResolution.FOUND);
        resolve(2, TrackResolution.NOT_FOUND);
        resolve(3, TrackResolution.FOUND);
        resolve(4, TrackResolution.FAILED);
    }

    void complete(String jobId, JobState state) {
        complete(jobId, "beatport-chart", SOURCE, state);
    }

    void complete(String jobId, String pipeline, String sourceRef, JobState state) {
        completed.pipeInput(jobId, JobCompleted.newBuilder().setJobId(jobId).setPipeline(pipeline).setSourceRef(sourceRef)
                .setState(state).setExpectedCount(4).setSucceededCount(2).setFailedCount(2).setCreatedAt(START)
                .setCompletedAt(START).build());
    }

    void advance(Duration duration) {
        tally.advance(duration);
    }

    double playlistsCounter(String outcome) {
        var counter = meters.find(PlaylistMetrics.PLAYLISTS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        tally.close();
    }
}
