package io.tally.playlist;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.StageReported;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.testsupport.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import org.apache.kafka.streams.test.TestRecord;

/**
 * A {@link TopologyTestDriver} around the deciding playlist topology with the real Apicurio serdes over an in-memory
 * registry, followed by the delivery consumer's logic ({@link PlaylistDelivery}) with a {@link RecordingAdapter}: the
 * intents the topology writes are delivered when a test reads the adapter calls or the outputs, and the outcomes
 * appear next to the topology's own outputs. A delivery that fails stands for one whose retries are exhausted: its
 * dead-letter handler runs at once. Runs at_least_once: the 4.2 driver drops dead-letter records under
 * exactly_once_v2 (EOS is exercised on a real broker in the integration tests).
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
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "playlist-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.PLAYLIST_SERVICE_DLT.name());
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/kafka-streams-state/driver-" + java.util.UUID.randomUUID());
        metrics = new PlaylistMetrics(meters, adapter.name());
        delivery = new PlaylistDelivery(adapter, metrics, (input, consumer, outcomes) -> outcomes.forEach(this::collect));
        driver = new TopologyTestDriver(PlaylistTopology.build(config, serdes, adapter.name(), metrics), props, START);
        StringSerializer keys = new StringSerializer();
        completed = driver.createInputTopic(Topics.JOB_COMPLETED.name(), keys, serdes.valueSerde(Topics.JOB_COMPLETED).serializer());
        rawCompleted = driver.createInputTopic(Topics.JOB_COMPLETED.name(), keys, new ByteArraySerializer());
        charts = driver.createInputTopic(Topics.CHARTS_PUBLISHED.name(), keys, serdes.valueSerde(Topics.CHARTS_PUBLISHED).serializer());
        tracks = driver.createInputTopic(Topics.TRACKS.name(), keys, serdes.valueSerde(Topics.TRACKS).serializer());
        rawCharts = driver.createInputTopic(Topics.CHARTS_PUBLISHED.name(), keys, new ByteArraySerializer());
        rawTracks = driver.createInputTopic(Topics.TRACKS.name(), keys, new ByteArraySerializer());
        StringDeserializer keyReader = new StringDeserializer();
        requests = driver.createOutputTopic(Topics.PLAYLISTS_REQUESTED.name(), keyReader,
                serdes.valueSerde(Topics.PLAYLISTS_REQUESTED).deserializer());
        playlists = new Outputs<>(null);
        stages = new Outputs<>(driver.createOutputTopic(Topics.STAGE_REPORTED.name(), keyReader,
                serdes.valueSerde(Topics.STAGE_REPORTED).deserializer()));
        deadLetters = driver.createOutputTopic(Topics.PLAYLIST_SERVICE_DLT.name(), keyReader, Serdes.ByteArray().deserializer());
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
