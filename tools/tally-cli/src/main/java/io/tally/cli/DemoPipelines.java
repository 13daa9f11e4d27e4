package io.tally.cli;

import io.tally.celebrity.CelebrityWorkersApplication;
import io.tally.media.MediaWorkersApplication;
import io.tally.notification.NotificationServiceApplication;
import io.tally.places.PlacesWorkersApplication;
import io.tally.transcribe.TranscribeWorkersApplication;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The declared pipelines {@code tally demo --pipeline NAME} runs besides the Beatport chart (which has its own checks
 * in {@link DemoCommand}): for each, the workers that serve its task types with their offline adapters, the run's
 * parameters, and the states the job may end in for the demo to pass. The engine and the jobs API are started for
 * every one of them ({@link PipelineServices#core}).
 */
final class DemoPipelines {

    /**
     * One demo.
     *
     * @param pipeline   the definition's name in {@code pipelines/}
     * @param what       one line for people: what the run shows
     * @param workers    the services that serve its task types
     * @param parameters the run's parameters
     * @param endStates  the job states that pass the demo; a failure path shown on purpose ends the job
     *                   COMPLETED_WITH_FAILURES, say
     */
    record Demo(String pipeline, String what, List<Worker> workers, Map<String, String> parameters,
                Set<String> endStates) {
    }

    /**
     * A worker service.
     *
     * @param name        the service's name (its config file, its log's name)
     * @param application its Spring Boot application class
     * @param settings    its offline settings for a demo writing into the given output folder
     */
    record Worker(String name, Class<?> application, Function<Path, Map<String, Object>> settings) {
    }

    private static final Map<String, Demo> DEMOS = index(List.of(
            new Demo("celebrity-weekly", "Seed 001: four sources in parallel (fixture-backed offline adapters) write"
                    + " about 400 entries to a compacted topic; a batch consumer enriches them with weight and sentiment"
                    + " as they arrive; a data-quality check waits for it and reports the distributions.",
                    List.of(new Worker(PipelineServices.CELEBRITY, CelebrityWorkersApplication.class,
                            output -> Map.of())),
                    Map.of(), Set.of("COMPLETED")),
            new Demo("transcribe", "Seed 003: a video URL downloaded, normalised and transcribed by the offline adapters"
                    + " (a tone derived from the URL, a real mono 16 kHz conversion, a transcript that says it is"
                    + " offline); the files go to the artifact store.",
                    List.of(new Worker(PipelineServices.TRANSCRIBE, TranscribeWorkersApplication.class, output -> Map.of())),
                    Map.of("url", "https://www.youtube.com/watch?v=FtnKP8fSSdc"), Set.of("COMPLETED")),
            new Demo("media-sources", "Seed 002: a source (a playlist, from the offline yt-dlp fixture) becomes one task"
                    + " per video for the worker pool; videos already done or dead-lettered are not queued again; one"
                    + " private video fails every attempt and goes to the dead-letter topic"
                    + " (--param url=https://www.youtube.com/@tallyfixture/videos adds the channel source).",
                    List.of(new Worker(PipelineServices.MEDIA, MediaWorkersApplication.class, output -> Map.of())),
                    Map.of("url", "https://www.youtube.com/playlist?list=PLtallyFixtureLofi"),
                    Set.of("COMPLETED_WITH_FAILURES", "COMPLETED")),
            new Demo("restaurants-daily", "Seed 004: places collected from the offline fixture into DuckDB, dbt-style SQL"
                    + " models and data tests, a quality gate and a summary notification in the outbox"
                    + " (--param city=Dirtyville shows the failure path).",
                    List.of(new Worker(PipelineServices.PLACES, PlacesWorkersApplication.class, output -> Map.of(
                                    "tally.places.warehouse", output.resolve("places/warehouse.duckdb").toString())),
                            new Worker(PipelineServices.NOTIFY, NotificationServiceApplication.class, output -> Map.of(
                                    "tally.notify.outbox-dir", output.resolve("outbox").toString()))),
                    Map.of("city", "Paris", "count", "20"), Set.of("COMPLETED"))));

    private DemoPipelines() {
    }

    /** Every demo by pipeline name, in name order. */
    static Map<String, Demo> all() {
        return DEMOS;
    }

    private static Map<String, Demo> index(List<Demo> demos) {
        Map<String, Demo> byName = new TreeMap<>();
        demos.forEach(demo -> byName.put(demo.pipeline(), demo));
        return byName;
    }

    /** Settings in the order written, for readability where several are given. */
    static Map<String, Object> settings(Object... keysAndValues) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            settings.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return settings;
    }
}
