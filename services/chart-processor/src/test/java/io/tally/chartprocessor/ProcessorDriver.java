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
import io.tally.testsupport.InMemorySchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.IntStream;
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
 * A {@link TopologyTestDriver} around the chart processor topology with the real Apicurio serdes over an in-memory
 * registry, and shorthands for the charts and resolutions the tests send. Runs at_least_once: the 4.2 driver drops
 * dead-letter records under exactly_once_v2 (EOS is proven on a real broker in ChartProcessorIntegrationTest).
 */
final class ProcessorDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    static final ProcessorProperties CONFIG = new ProcessorProperties(Duration.ofHours(1), Duration.ofMinutes(1));

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final AvroSerdes serdes = AvroSerdes.forClient(registry);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TopologyTestDriver driver;
    final TestInputTopic<String, ChartPublished> charts;
    final TestInputTopic<String, byte[]> rawCharts;
    final TestInputTopic<String, TrackResolved> tracks;
    final TestInputTopic<String, byte[]> rawTracks;
    final TestOutputTopic<String, JobCreated> jobs;
    final TestOutputTopic<String, TrackSearchRequested> requests;
    final TestOutputTopic<String, StageReported> stages;
    final TestOutputTopic<String, byte[]> deadLetters;

    ProcessorDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "chart-processor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.CHART_PROCESSOR_DLT.name());
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/kafka-streams-state/" + UUID.randomUUID());
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        driver = new TopologyTestDriver(ChartProcessorTopology.build(props, CONFIG, serdes, meters), props, START);
        StringSerializer keys = new StringSerializer();
        charts = driver.createInputTopic(Topics.CHARTS_PUBLISHED.name(), keys, serdes.valueSerde(Topics.CHARTS_PUBLISHED).serializer());
        rawCharts = driver.createInputTopic(Topics.CHARTS_PUBLISHED.name(), keys, new ByteArraySerializer());
        tracks = driver.createInputTopic(Topics.TRACKS.name(), keys, serdes.valueSerde(Topics.TRACKS).serializer());
        rawTracks = driver.createInputTopic(Topics.TRACKS.name(), keys, new ByteArraySerializer());
        StringDeserializer keyReader = new StringDeserializer();
        jobs = driver.createOutputTopic(Topics.JOB_CREATED.name(), keyReader, serdes.valueSerde(Topics.JOB_CREATED).deserializer());
        requests = driver.createOutputTopic(Topics.SEARCH_REQUESTS.name(), keyReader, serdes.valueSerde(Topics.SEARCH_REQUESTS).deserializer());
        stages = driver.createOutputTopic(Topics.STAGE_REPORTED.name(), keyReader, serdes.valueSerde(Topics.STAGE_REPORTED).deserializer());
        deadLetters = driver.createOutputTopic(Topics.CHART_PROCESSOR_DLT.name(), keyReader, Serdes.ByteArray().deserializer());
    }

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
        driver.advanceWallClockTime(duration);
    }

    double counter(String name) {
        return meters.get(name).counter().count();
    }

    double counter(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).counter().count();
    }

    @Override
    public void close() {
        driver.close();
    }
}
