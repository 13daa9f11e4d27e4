package io.tally.bench;

import static io.tally.bench.BenchEnvironment.millis;

import io.tally.common.kafka.FromStart;
import io.tally.localruntime.LocalStack;
import io.tally.cli.PipelineServices;
import io.tally.common.jobs.TrackKeys;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobCompleted;
import io.tally.events.PipelineTriggered;
import io.tally.events.PlaylistCreated;
import io.tally.chartscraper.Charts;
import io.tally.chartscraper.source.ChartRequest;
import io.tally.chartscraper.source.FetchedChart;
import io.tally.chartscraper.source.SampleChartSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.core.io.ClassPathResource;

/**
 * Item 5 of the bench: a 100-track chart from {@code ChartPublished} to a committed {@code PlaylistCreated}, through
 * chart-processor, track-search (offline catalog), the job tracker and playlist-service (file adapter), all started
 * as in {@code tally dev} on their own broker and registry. Every run gets new track titles, so all 100 tracks are
 * searched each time (a chart of known tracks would skip the search). One unmeasured run warms up first.
 */
final class EndToEndBench {

    static final Set<String> SERVICES = Set.of(PipelineServices.TRACKER, PipelineServices.PROCESSOR,
            PipelineServices.SEARCH, PipelineServices.PLAYLIST);
    static final String SAMPLE_CHART = "charts/beatport-top100-sample.json";

    record Result(Map<String, Object> figures, double medianMs, List<String> problems) {
    }

    private final Path workDir;
    private final Duration timeout;
    private final BenchEnvironment progress;

    EndToEndBench(BenchEnvironment progress, Path workDir) {
        this.progress = progress;
        this.workDir = workDir;
        this.timeout = progress.timeout();
    }

    Result run(int runs, Map<String, List<String>> serviceArguments) {
        FetchedChart sample = new SampleChartSource(new ClassPathResource(SAMPLE_CHART)).fetch(new ChartRequest(null));
        List<String> problems = new ArrayList<>();
        Histogram micros = new Histogram(3);
        Histogram toCompletion = new Histogram(3);
        List<Double> all = new ArrayList<>();
        try (LocalStack stack = LocalStack.startInfrastructure(new LocalStack.Settings(workDir, 0, 0, 0, timeout,
                line -> progress.say("e2e%s", line)))) {
            stack.startServices(PipelineServices.offline(workDir.resolve("out"), false, serviceArguments).stream()
                    .filter(service -> SERVICES.contains(service.name())).toList());
            AvroSerdes serdes = AvroSerdes.forRegistry(stack.registryUrl(), true);
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                         Map.of("bootstrap.servers", stack.bootstrapServers(), "linger.ms", 0, "acks", "all"),
                         new StringSerializer(), serdes.serializer());
                 KafkaConsumer<String, SpecificRecord> reader = new KafkaConsumer<>(Map.of(
                         "bootstrap.servers", stack.bootstrapServers(), "isolation.level", "read_committed",
                         "enable.auto.commit", false), new org.apache.kafka.common.serialization.StringDeserializer(),
                         serdes.catalogueDeserializer())) {
                FromStart.assign(reader, List.of(Topics.JOB_COMPLETED.name(), Topics.PLAYLISTS_CREATED.name()));
                for (int run = 0; run <= runs; run++) {
                    ChartPublished chart = chart(sample, run);
                    long sentAt = System.nanoTime();
                    producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart));
                    long[] completedAt = {0};
                    PlaylistCreated playlist = await(reader, chart.getJobId(), completedAt);
                    double ms = (System.nanoTime() - sentAt) / 1e6;
                    double toCompletionMs = completedAt[0] == 0 ? Double.NaN : (completedAt[0] - sentAt) / 1e6;
                    if (playlist == null) {
                        problems.add("e2e run " + run + ": no PlaylistCreated for " + chart.getJobId() + " within " + timeout);
                        continue;
                    }
                    if (playlist.getEntryCount() != chart.getTracks().size()) {
                        problems.add("e2e run " + run + ": playlist has " + playlist.getEntryCount() + " entries, not "
                                + chart.getTracks().size());
                    }
                    progress.say("e2e run %d%s: %.0f ms (JobCompleted after %.0f ms), %d entries", run,
                            run == 0 ? " (warm-up)" : "", ms, toCompletionMs, playlist.getEntryCount());
                    if (run > 0) {
                        micros.recordValue(Math.round(ms * 1000));
                        toCompletion.recordValue(Math.round(toCompletionMs * 1000));
                        all.add(ms);
                    }
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("runs", all.size());
        figures.put("tracks", sample.tracks().size());
        figures.put("medianMs", millis(micros.getValueAtPercentile(50)));
        figures.put("p95Ms", millis(micros.getValueAtPercentile(95)));
        figures.put("maxMs", millis(micros.getMaxValue()));
        figures.put("toJobCompletedMedianMs", millis(toCompletion.getValueAtPercentile(50)));
        figures.put("runsMs", all.stream().map(ms -> Math.round(ms)).toList());
        return new Result(figures, millis(micros.getValueAtPercentile(50)), problems);
    }

    /** The sample chart as a new edition: its own date, job id and track titles. */
    private static ChartPublished chart(FetchedChart sample, int run) {
        String runTag = Long.toString(System.nanoTime(), 36);
        PipelineTriggered trigger = PipelineTriggered.newBuilder()
                .setTriggerId("bench-e2e-" + runTag)
                .setJobId("bench-e2e-" + runTag)
                .setPipeline("beatport-chart")
                .setTriggeredAt(Instant.now())
                .setParameters(Map.of("date", LocalDate.of(2040, 1, 1).plusDays(run).toString()))
                .build();
        ChartPublished chart = Charts.published(trigger, sample, Instant.now());
        List<ChartTrack> tracks = new ArrayList<>();
        for (ChartTrack track : chart.getTracks()) {
            String title = track.getTitle() + " [" + runTag + "]";
            tracks.add(ChartTrack.newBuilder(track).setTitle(title)
                    .setTrackKey(TrackKeys.of(track.getArtists(), title, track.getMix())).build());
        }
        chart.setTracks(tracks);
        return chart;
    }

    /** Reads until the job's playlist is committed; notes when its JobCompleted became visible on the way. */
    private PlaylistCreated await(KafkaConsumer<String, SpecificRecord> reader, String jobId, long[] completedAt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, SpecificRecord> record : reader.poll(Duration.ofMillis(5))) {
                if (!jobId.equals(record.key())) {
                    continue;
                }
                if (record.value() instanceof JobCompleted) {
                    completedAt[0] = System.nanoTime();
                } else if (record.value() instanceof PlaylistCreated playlist) {
                    return playlist;
                }
            }
        }
        return null;
    }
}
