package io.tally.cli;

import io.tally.localruntime.LocalStack;
import io.tally.jobsapi.JobsApiApplication;
import io.tally.chartprocessor.ChartProcessorApplication;
import io.tally.notification.NotificationServiceApplication;
import io.tally.playlist.PlaylistApplication;
import io.tally.scheduler.SchedulerApplication;
import io.tally.chartscraper.ChartScraperApplication;
import io.tally.tracksearch.TrackSearchApplication;
import io.tally.jobtracker.JobTrackerApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import io.tally.celebrity.CelebrityWorkersApplication;
import io.tally.media.MediaWorkersApplication;
import io.tally.places.PlacesWorkersApplication;
import io.tally.transcribe.TranscribeWorkersApplication;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The services of the reference pipeline as {@link LocalStack} starts them, with the offline adapters as defaults: the
 * sample chart, the local search catalog, playlist files and a notification outbox; a {@code tally dev --config}
 * file overrides them. The job tracker publishes the repository's {@code pipelines/} folder ({@link #pipelinesDir()}),
 * so the engine runs the chart pipeline and whatever else is declared there. Ports are the services' defaults
 * for {@code tally dev}, or free ports. Every service accepts {@link #LOCAL_API_KEY} with the USER and ADMIN roles.
 */
public final class PipelineServices {

    public static final String TRACKER = JobTrackerApplication.CONFIG_NAME;
    public static final String SCHEDULER = SchedulerApplication.CONFIG_NAME;
    public static final String SCRAPER = ChartScraperApplication.CONFIG_NAME;
    public static final String PROCESSOR = ChartProcessorApplication.CONFIG_NAME;
    public static final String SEARCH = TrackSearchApplication.CONFIG_NAME;
    public static final String PLAYLIST = PlaylistApplication.CONFIG_NAME;
    public static final String NOTIFY = NotificationServiceApplication.CONFIG_NAME;
    public static final String API = JobsApiApplication.CONFIG_NAME;
    public static final String TRANSCRIBE = TranscribeWorkersApplication.CONFIG_NAME;
    public static final String PLACES = PlacesWorkersApplication.CONFIG_NAME;
    public static final String CELEBRITY = CelebrityWorkersApplication.CONFIG_NAME;
    public static final String MEDIA = MediaWorkersApplication.CONFIG_NAME;
    /** The API key of every service of a local stack; a deployment sets its own (see docs/configuration.md). */
    static final String LOCAL_API_KEY = "dev-key-change-me";

    /**
     * Every service takes the same credentials (tally-common's shared security): the local key, with both roles, is
     * given to each, so the CLI's own calls (the demo's {@code POST /api/triggers}) and a user's curl work alike.
     */
    private static final Map<String, Object> LOCAL_KEY = Map.of(
            "tally.api.security.api-keys[0].name", "dev",
            "tally.api.security.api-keys[0].key", LOCAL_API_KEY,
            "tally.api.security.api-keys[0].roles", "USER,ADMIN");

    /** System property naming the pipelines folder a local stack publishes; {@code ./tally} and the build set it. */
    static final String PIPELINES_PROPERTY = "tally.local.pipelines";

    /** The fixed ports of {@code tally dev}, by service. */
    static final Map<String, Integer> DEV_PORTS = Map.ofEntries(Map.entry(TRACKER, 8080), Map.entry(SCHEDULER, 8082),
            Map.entry(SCRAPER, 8083), Map.entry(PROCESSOR, 8084), Map.entry(SEARCH, 8085), Map.entry(PLAYLIST, 8086),
            Map.entry(NOTIFY, 8087), Map.entry(API, 8088), Map.entry(TRANSCRIBE, 8090), Map.entry(CELEBRITY, 8091),
            Map.entry(PLACES, 8094), Map.entry(MEDIA, 8096));

    private PipelineServices() {
    }

    /**
     * @param outputDir   where playlists ({@code playlists/}) and notifications ({@code outbox/}) are written
     * @param fixedPorts  the services' default ports (8080, 8082-8088) instead of free ones
     * @param extra       more arguments per service name, added after the defaults so they win
     */
    public static List<LocalStack.Service> offline(Path outputDir, boolean fixedPorts, Map<String, List<String>> extra) {
        return configured(outputDir, fixedPorts, DevConfig.defaults(), extra);
    }

    /**
     * The services with the offline adapters as defaults that a {@code tally dev --config} file overrides: both are
     * settings below the environment variables (see {@link LocalStack.Service}), the file's on top of the defaults.
     *
     * @param config the file's ports and per-service settings ({@link DevConfig#defaults()} for none)
     */
    static List<LocalStack.Service> configured(Path outputDir, boolean fixedPorts, DevConfig config,
                                               Map<String, List<String>> extra) {
        List<LocalStack.Service> services = new ArrayList<>();
        services.add(service(TRACKER, JobTrackerApplication.class, fixedPorts, config, extra, trackerDefaults()));
        services.add(service(SCHEDULER, SchedulerApplication.class, fixedPorts, config, extra, Map.of()));
        services.add(service(SCRAPER, ChartScraperApplication.class, fixedPorts, config, extra,
                Map.of("tally.scraper.source", "sample")));
        services.add(service(PROCESSOR, ChartProcessorApplication.class, fixedPorts, config, extra, Map.of()));
        services.add(service(SEARCH, TrackSearchApplication.class, fixedPorts, config, extra, Map.of(
                "tally.search.adapter", "offline",
                // Short back-off so a failing search reaches its dead letter in seconds, not a minute.
                "tally.worker.retry.initial-delay", "200ms", "tally.worker.retry.max-delay", "1s")));
        services.add(service(PLAYLIST, PlaylistApplication.class, fixedPorts, config, extra, Map.of(
                "tally.playlist.adapter", "file",
                "tally.playlist.file.output-dir", outputDir.resolve("playlists").toString())));
        services.add(service(NOTIFY, NotificationServiceApplication.class, fixedPorts, config, extra, Map.of(
                "tally.notify.outbox-dir", outputDir.resolve("outbox").toString(),
                "tally.notify.playlist-wait", "30s")));
        services.add(service(API, JobsApiApplication.class, fixedPorts, config, extra, Map.of()));
        return withArtifacts(services, outputDir);
    }

    /**
     * The chart's services and the workers of every other pipeline in {@code pipelines/} ({@link DemoPipelines}), so
     * that each of them runs on {@code tally dev}: what {@link #configured} starts, then each demo's workers that are
     * not started already, with their offline settings below the file's.
     */
    static List<LocalStack.Service> everyPipeline(Path outputDir, DevConfig config) {
        List<LocalStack.Service> services = new ArrayList<>(configured(outputDir, true, config, Map.of()));
        Set<String> started = new HashSet<>();
        services.forEach(service -> started.add(service.name()));
        List<LocalStack.Service> workers = new ArrayList<>();
        for (DemoPipelines.Demo demo : DemoPipelines.all().values()) {
            for (DemoPipelines.Worker worker : demo.workers()) {
                if (started.add(worker.name())) {
                    workers.add(service(worker.name(), worker.application(), true, config, Map.of(),
                            worker.settings().apply(outputDir)));
                }
            }
        }
        services.addAll(withArtifacts(workers, outputDir));
        return services;
    }

    /**
     * The engine and the jobs API with free ports, and the given workers with their offline settings: what a declared
     * pipeline other than the chart needs to run ({@code tally demo --pipeline}).
     */
    static List<LocalStack.Service> core(Path outputDir, List<DemoPipelines.Worker> workers) {
        DevConfig config = DevConfig.defaults();
        List<LocalStack.Service> services = new ArrayList<>();
        services.add(service(TRACKER, JobTrackerApplication.class, false, config, Map.of(), trackerDefaults()));
        services.add(service(API, JobsApiApplication.class, false, config, Map.of(), Map.of()));
        for (DemoPipelines.Worker worker : workers) {
            services.add(new LocalStack.Service(worker.name(), worker.application(), 0, List.of(),
                    withLocalKey(worker.settings().apply(outputDir))));
        }
        return withArtifacts(services, outputDir);
    }

    /**
     * The pipelines folder the tracker publishes: {@value #PIPELINES_PROPERTY} ({@code ./tally} sets it to the
     * repository's {@code pipelines/}, or to {@code $TALLY_PIPELINES_DIR}), else {@code pipelines/} in the working
     * directory. A {@code tally dev --config} file may still set {@code tally.pipelines.dir} for the job tracker.
     *
     * @throws LocalStack.StackFailure when that folder does not exist, before anything starts
     */
    static Path pipelinesDir() {
        String configured = System.getProperty(PIPELINES_PROPERTY);
        Path dir = Path.of(configured != null && !configured.isBlank() ? configured : "pipelines").toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new LocalStack.StackFailure("no pipelines folder at " + dir + "; run ./tally from the repository, or"
                    + " set TALLY_PIPELINES_DIR to a folder of pipeline definitions");
        }
        return dir;
    }

    /** The engine publishes the pipelines folder and reports status often enough for a person watching. */
    private static Map<String, Object> trackerDefaults() {
        return Map.of("tally.tracker.status-interval", "200ms", "tally.pipelines.dir", pipelinesDir().toString());
    }

    /**
     * Every service of a local stack shares one artifact store under the output folder: the workers write the files,
     * the engine keeps big results there and the jobs API serves both.
     */
    private static List<LocalStack.Service> withArtifacts(List<LocalStack.Service> services, Path outputDir) {
        String dir = outputDir.resolve("artifacts").toString();
        return services.stream().map(service -> {
            Map<String, Object> settings = new LinkedHashMap<>(service.settings());
            settings.putIfAbsent("tally.artifacts.dir", dir);
            return new LocalStack.Service(service.name(), service.application(), service.port(), service.arguments(),
                    settings);
        }).toList();
    }

    private static Map<String, Object> withLocalKey(Map<String, Object> defaults) {
        Map<String, Object> settings = new LinkedHashMap<>(defaults);
        settings.putAll(LOCAL_KEY);
        return settings;
    }

    private static LocalStack.Service service(String name, Class<?> application, boolean fixedPorts, DevConfig config,
                                              Map<String, List<String>> extra, Map<String, Object> defaults) {
        Map<String, Object> settings = withLocalKey(defaults);
        settings.putAll(config.settings(name));
        int port = fixedPorts ? config.port(name, DEV_PORTS.getOrDefault(name, 0)) : 0;
        return new LocalStack.Service(name, application, port, extra.getOrDefault(name, List.of()), settings);
    }
}
