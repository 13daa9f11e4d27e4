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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The services of the reference pipeline as {@link LocalStack} starts them, with the offline adapters: the sample
 * chart, the local search catalog, playlist files and a notification outbox. Ports are the services' defaults
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
    /** The API key of every service of a local stack; a deployment sets its own (see docs/configuration.md). */
    static final String LOCAL_API_KEY = "dev-key-change-me";

    /**
     * Every service takes the same credentials (tally-common's shared security): the local key, with both roles, is
     * given to each, so the CLI's own calls (the demo's {@code POST /api/triggers}) and a user's curl work alike.
     */
    private static final List<String> LOCAL_KEY = List.of(
            "--tally.api.security.api-keys[0].name=dev",
            "--tally.api.security.api-keys[0].key=" + LOCAL_API_KEY,
            "--tally.api.security.api-keys[0].roles=USER,ADMIN");

    private PipelineServices() {
    }

    /**
     * @param outputDir   where playlists ({@code playlists/}) and notifications ({@code outbox/}) are written
     * @param fixedPorts  the services' default ports (8080, 8082-8088) instead of free ones
     * @param extra       more arguments per service name, added after the defaults so they win
     */
    public static List<LocalStack.Service> offline(Path outputDir, boolean fixedPorts, java.util.Map<String, List<String>> extra) {
        List<LocalStack.Service> services = new ArrayList<>();
        services.add(service(TRACKER, JobTrackerApplication.class, fixedPorts ? 8080 : 0, extra,
                "--tally.tracker.status-interval=200ms"));
        services.add(service(SCHEDULER, SchedulerApplication.class, fixedPorts ? 8082 : 0, extra));
        services.add(service(SCRAPER, ChartScraperApplication.class, fixedPorts ? 8083 : 0, extra,
                "--tally.scraper.source=sample"));
        services.add(service(PROCESSOR, ChartProcessorApplication.class, fixedPorts ? 8084 : 0, extra));
        services.add(service(SEARCH, TrackSearchApplication.class, fixedPorts ? 8085 : 0, extra,
                "--tally.search.adapter=offline",
                // Short back-off so a failing search reaches its dead letter in seconds, not a minute.
                "--tally.search.retry.initial-delay=200ms", "--tally.search.retry.max-delay=1s"));
        services.add(service(PLAYLIST, PlaylistApplication.class, fixedPorts ? 8086 : 0, extra,
                "--tally.playlist.adapter=file",
                "--tally.playlist.file.output-dir=" + outputDir.resolve("playlists")));
        services.add(service(NOTIFY, NotificationServiceApplication.class, fixedPorts ? 8087 : 0, extra,
                "--tally.notify.outbox-dir=" + outputDir.resolve("outbox"),
                "--tally.notify.playlist-wait=30s"));
        services.add(service(API, JobsApiApplication.class, fixedPorts ? 8088 : 0, extra));
        return services;
    }

    private static LocalStack.Service service(String name, Class<?> application, int port,
                                              java.util.Map<String, List<String>> extra, String... defaults) {
        List<String> arguments = new ArrayList<>(List.of(defaults));
        arguments.addAll(LOCAL_KEY);
        arguments.addAll(extra.getOrDefault(name, List.of()));
        return new LocalStack.Service(name, application, port, arguments);
    }
}
