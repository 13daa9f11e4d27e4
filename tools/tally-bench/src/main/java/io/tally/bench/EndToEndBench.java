package io.tally.bench;

import static io.tally.bench.BenchEnvironment.millis;

import io.tally.common.kafka.FromStart;
import io.tally.localruntime.BeatportPageServer;
import io.tally.localruntime.LocalStack;
import io.tally.cli.PipelineServices;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.PipelineTriggered;
import io.tally.events.PlaylistCreated;
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
 * Item 5 of the bench: a 100-track chart from its run's trigger to a committed {@code PlaylistCreated}, on the engine
 * (pipelines/beatport-chart.yml): the job tracker dispatches scrape, pick, one search per track and the playlist to
 * chart-scraper (its real Beatport source, reading a local {@link BeatportPageServer}), chart-processor, track-search
 * (offline catalog), playlist-service (file adapter) and notification-service, all started as in {@code tally dev} on
 * their own broker and registry. Every run serves the sample chart under a new path with new track titles, so all 100
 * tracks are searched each time (a chart of known tracks would skip the search). One unmeasured run warms up first.
 */
final class EndToEndBench {

    static final Set<String> SERVICES = Set.of(PipelineServices.TRACKER, PipelineServices.SCRAPER,
            PipelineServices.PROCESSOR, PipelineServices.SEARCH, PipelineServices.PLAYLIST, PipelineServices.NOTIFY);
    static final String SAMPLE_CHART = "charts/beatport-top100-sample.json";
    static final String PIPELINE = "beatport-chart";

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
        try (BeatportPageServer beatport = new BeatportPageServer();
             LocalStack stack = LocalStack.startInfrastructure(new LocalStack.Settings(workDir, 0, 0, 0, timeout,
                     line -> progress.say("e2e%s", line)))) {
            Map<String, List<String>> arguments = new LinkedHashMap<>(serviceArguments);
            arguments.merge(PipelineServices.SCRAPER, List.of("--tally.scraper.source=beatport",
                    "--tally.scraper.beatport.base-url=" + beatport.baseUrl()), (given, ours) -> {
                        List<String> both = new ArrayList<>(ours);
                        both.addAll(given);
                        return both;
                    });
            stack.startServices(PipelineServices.offline(workDir.resolve("out"), false, arguments).stream()
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
                    String runTag = Long.toString(System.nanoTime(), 36);
                    // The path's genre id is the run's, so each run's chart has its own source key.
                    beatport.serve("/genre/bench/" + (run + 1) + "/top-100", tracks(sample, runTag));
                    PipelineTriggered trigger = trigger(runTag, run);
                    long sentAt = System.nanoTime();
                    producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), trigger.getTriggerId(), trigger));
                    // [0]: when the playlist was committed, [1]: when the job's JobCompleted was.
                    long[] seenAt = {0, 0};
                    PlaylistCreated playlist = await(reader, trigger.getJobId(), seenAt);
                    double ms = (seenAt[0] - sentAt) / 1e6;
                    double toCompletionMs = seenAt[1] == 0 ? Double.NaN : (seenAt[1] - sentAt) / 1e6;
                    if (playlist == null) {
                        problems.add("e2e run " + run + ": no PlaylistCreated for " + trigger.getJobId() + " within " + timeout);
                        continue;
                    }
                    if (playlist.getEntryCount() != sample.tracks().size()) {
                        problems.add("e2e run " + run + ": playlist has " + playlist.getEntryCount() + " entries, not "
                                + sample.tracks().size());
                    }
                    progress.say("e2e run %d%s: %.0f ms (JobCompleted after %.0f ms), %d entries", run,
                            run == 0 ? " (warm-up)" : "", ms, toCompletionMs, playlist.getEntryCount());
                    if (run > 0) {
                        micros.recordValue(Math.round(ms * 1000));
                        if (seenAt[1] != 0) {
                            toCompletion.recordValue(Math.round(toCompletionMs * 1000));
                        }
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

    /** The sample chart's tracks with the run's tag in each title, so none of them was searched before. */
    private static List<BeatportPageServer.Track> tracks(FetchedChart sample, String runTag) {
        return sample.tracks().stream().map(track -> new BeatportPageServer.Track(track.artists(),
                track.title() + " [" + runTag + "]", track.mix())).toList();
    }

    /** A run of the chart pipeline for the run's genre page, on its own date. */
    private static PipelineTriggered trigger(String runTag, int run) {
        return PipelineTriggered.newBuilder()
                .setTriggerId("bench-e2e-" + runTag)
                .setJobId("bench-e2e-" + runTag)
                .setPipeline(PIPELINE)
                .setTriggeredAt(Instant.now())
                .setParameters(Map.of("chart", "bench/" + (run + 1),
                        "date", LocalDate.of(2040, 1, 1).plusDays(run).toString()))
                .build();
    }

    /**
     * Reads until the job's playlist and its JobCompleted (after the notify stage) are committed, noting when each
     * became visible in {@code seenAt}; returns the playlist, or null if it did not come in time.
     */
    private PlaylistCreated await(KafkaConsumer<String, SpecificRecord> reader, String jobId, long[] seenAt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PlaylistCreated playlist = null;
        while (System.nanoTime() < deadline && (playlist == null || seenAt[1] == 0)) {
            for (ConsumerRecord<String, SpecificRecord> record : reader.poll(Duration.ofMillis(5))) {
                if (!jobId.equals(record.key())) {
                    continue;
                }
                if (record.value() instanceof JobCompleted) {
                    seenAt[1] = System.nanoTime();
                } else if (record.value() instanceof PlaylistCreated created && playlist == null) {
                    seenAt[0] = System.nanoTime();
                    playlist = created;
                }
            }
        }
        return playlist;
    }
}
