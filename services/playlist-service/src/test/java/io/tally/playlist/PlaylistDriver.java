package io.tally.playlist;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageReported;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.testsupport.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/**
 * A {@link TopologyTestDriver} around the playlist topology with the real Apicurio serdes over an in-memory registry
 * and a {@link RecordingAdapter}. Runs at_least_once: the 4.2 driver drops dead-letter records under exactly_once_v2
 * (EOS is exercised on a real broker in PlaylistServiceIntegrationTest).
 */
final class PlaylistDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    static final String SOURCE = "beatport/2024/08/12/top100";
    static final Duration RESOLVE_WAIT = Duration.ofSeconds(30);

    final AvroSerdes serdes = AvroSerdes.forClient(new InMemorySchemaRegistry());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RecordingAdapter adapter = new RecordingAdapter();
    final TopologyTestDriver driver;
    final TestInputTopic<String, JobCompleted> completed;
    final TestInputTopic<String, byte[]> rawCompleted;
    final TestInputTopic<String, ChartPublished> charts;
    final TestInputTopic<String, TrackResolved> tracks;
    final TestInputTopic<String, byte[]> rawCharts;
    final TestInputTopic<String, byte[]> rawTracks;
    final TestOutputTopic<String, PlaylistCreated> playlists;
    final TestOutputTopic<String, StageReported> stages;
    final TestOutputTopic<String, byte[]> deadLetters;

    PlaylistDriver() {
        PlaylistProperties config = new PlaylistProperties(List.of("beatport-chart"), RESOLVE_WAIT, Duration.ofSeconds(1),
                PlaylistProperties.AdapterKind.FILE, new PlaylistProperties.File(Path.of("unused")),
                new PlaylistProperties.YouTube(java.net.URI.create("http://unused"), "", "public", 1, Duration.ZERO,
                        Duration.ZERO, Duration.ofSeconds(1)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "playlist-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.PLAYLIST_SERVICE_DLT.name());
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/kafka-streams-state/driver-" + java.util.UUID.randomUUID());
        driver = new TopologyTestDriver(PlaylistTopology.build(config, serdes, adapter,
                new PlaylistMetrics(meters, adapter.name())), props, START);
        StringSerializer keys = new StringSerializer();
        completed = driver.createInputTopic(Topics.JOB_COMPLETED.name(), keys, serdes.valueSerde(Topics.JOB_COMPLETED).serializer());
        rawCompleted = driver.createInputTopic(Topics.JOB_COMPLETED.name(), keys, new ByteArraySerializer());
        charts = driver.createInputTopic(Topics.CHARTS_PUBLISHED.name(), keys, serdes.valueSerde(Topics.CHARTS_PUBLISHED).serializer());
        tracks = driver.createInputTopic(Topics.TRACKS.name(), keys, serdes.valueSerde(Topics.TRACKS).serializer());
        rawCharts = driver.createInputTopic(Topics.CHARTS_PUBLISHED.name(), keys, new ByteArraySerializer());
        rawTracks = driver.createInputTopic(Topics.TRACKS.name(), keys, new ByteArraySerializer());
        StringDeserializer keyReader = new StringDeserializer();
        playlists = driver.createOutputTopic(Topics.PLAYLISTS_CREATED.name(), keyReader,
                serdes.valueSerde(Topics.PLAYLISTS_CREATED).deserializer());
        stages = driver.createOutputTopic(Topics.STAGE_REPORTED.name(), keyReader, serdes.valueSerde(Topics.STAGE_REPORTED).deserializer());
        deadLetters = driver.createOutputTopic(Topics.PLAYLIST_SERVICE_DLT.name(), keyReader, Serdes.ByteArray().deserializer());
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
        driver.advanceWallClockTime(duration);
    }

    double playlistsCounter(String outcome) {
        var counter = meters.find(PlaylistMetrics.PLAYLISTS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        driver.close();
    }
}
