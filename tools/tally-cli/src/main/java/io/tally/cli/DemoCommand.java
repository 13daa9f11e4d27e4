package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.common.jobs.JobStates;
import io.tally.localruntime.LocalStack;
import io.tally.common.kafka.AvroSerdes;
import io.tally.events.JobCompleted;
import io.tally.events.NotificationSent;
import io.tally.events.PlaylistCreated;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.TreeMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally demo}: a pipeline end to end on one machine, with no accounts: a real broker and registry, every
 * service with its offline adapter. Without {@code --pipeline}, one manual run of the Beatport chart pipeline from
 * trigger to playlist file and notification, checked on the way; with {@code --pipeline NAME}, one run of another
 * declared pipeline ({@link DemoPipelines}) through the jobs API, followed until it ends, with its stages, counts and
 * result. Known gap: the services share this JVM, unlike a deployment.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Runs a pipeline once on a local Kafka broker and schema registry with offline adapters. By"
                + " default the Beatport chart: sample chart -> track search -> playlist file -> notification; exits 0"
                + " when the playlist and the notification are out. With --pipeline, another declared pipeline; exits 0"
                + " when its job ends as the demo expects.")
public class DemoCommand implements Callable<Integer> {

    static final String PIPELINE = "beatport-chart";
    private static final Pattern JOB_ID = Pattern.compile("\"jobId\"\\s*:\\s*\"([^\"]+)\"");

    @Spec
    CommandSpec spec;

    @Option(names = "--pipeline", paramLabel = "NAME", defaultValue = PIPELINE,
            description = "The pipeline to run: ${DEFAULT-VALUE} (default) or one of the other declared pipelines"
                    + " (tally demo --pipeline list names them).")
    String pipeline;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
            description = "A run parameter of a --pipeline demo, over the demo's own (repeatable). With one, any end of"
                    + " the job passes: a parameter may choose a failure path on purpose.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--timeout", defaultValue = "180s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up (exit 1) after this long, e.g. 180s or 3m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.tally/demo",
            description = "Where the playlist files and notifications are written (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = "--failing-track", paramLabel = "TITLE", defaultValue = "Take Your Places",
            description = "Title of a chart track whose search always fails, to show retries, the dead-letter topic"
                    + " and a job that still completes; empty for none (default: ${DEFAULT-VALUE}).")
    String failingTrack;

    @Option(names = "--verbose", description = "Also show the services', broker's and registry's logs here.")
    boolean verbose;

    private PrintWriter out;

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!pipeline.equals(PIPELINE)) {
            DemoPipelines.Demo demo = DemoPipelines.all().get(pipeline);
            if (demo == null) {
                boolean listing = pipeline.equals("list");
                (listing ? out : err).println((listing ? "" : "ERROR: no demo of pipeline '" + pipeline + "'; ")
                        + "demos: " + PIPELINE + (DemoPipelines.all().isEmpty() ? ""
                        : ", " + String.join(", ", DemoPipelines.all().keySet())));
                return listing ? 0 : 2;
            }
            return runDeclared(demo);
        }
        Path dataDir = Files.createTempDirectory("tally-demo-");
        Files.createDirectories(outputDir);
        Path logDir = StackLogging.start(outputDir.toAbsolutePath().resolve("logs"), verbose);
        say("Starting Kafka, the schema registry and the services of the Beatport chart pipeline...");
        say("  " + StackLogging.describe(logDir));
        try (LocalStack stack = LocalStack.startInfrastructure(
                new LocalStack.Settings(dataDir, 0, 0, 0, timeout, this::say, logDir))) {
            Map<String, List<String>> extra = failingTrack.isBlank() ? Map.of()
                    : Map.of(PipelineServices.SEARCH, List.of("--tally.search.offline.failing=" + failingTrack));
            stack.startServices(PipelineServices.offline(outputDir.toAbsolutePath(), false, extra));
            String jobId = trigger(stack.port(PipelineServices.SCHEDULER));
            say("Triggered %s by POST /api/triggers: job %s", PIPELINE, jobId);
            try (PipelineWatcher watcher = new PipelineWatcher(stack.bootstrapServers(),
                    AvroSerdes.forRegistry(stack.registryUrl(), false), jobId, this::say)) {
                return report(jobId, watcher.await(timeout, Duration.ofSeconds(2)));
            }
        } catch (LocalStack.StackFailure e) {
            err.println("ERROR: " + e.getMessage() + " (details in " + logDir + ")");
            return 1;
        } finally {
            LocalStack.deleteRecursively(dataDir);
        }
    }

    /** One run of a declared pipeline through the jobs API, as a user would start and follow it. */
    private int runDeclared(DemoPipelines.Demo demo) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Path dataDir = Files.createTempDirectory("tally-demo-");
        Path output = outputDir.toAbsolutePath().resolve(demo.pipeline());
        Files.createDirectories(output);
        Path logDir = StackLogging.start(outputDir.toAbsolutePath().resolve("logs"), verbose);
        say("Starting Kafka, the schema registry, the engine, the jobs API and the workers of %s...", demo.pipeline());
        say("  " + StackLogging.describe(logDir));
        try (LocalStack stack = LocalStack.startInfrastructure(
                new LocalStack.Settings(dataDir, 0, 0, 0, timeout, this::say, logDir))) {
            stack.startServices(PipelineServices.core(output, demo.workers()));
            ApiOptions api = ApiOptions.of("http://localhost:" + stack.port(PipelineServices.API),
                    PipelineServices.LOCAL_API_KEY);
            say("%s", demo.what());
            Map<String, String> parameters = new TreeMap<>(demo.parameters());
            parameters.putAll(params);
            String jobId = api.post("/api/pipelines/" + demo.pipeline() + "/runs",
                    Map.of("parameters", parameters)).path("jobId").asText();
            say("Started %s by POST /api/pipelines/%s/runs: job %s", demo.pipeline(), demo.pipeline(), jobId);
            JobFollower follower = new JobFollower(api, out);
            JsonNode job = follower.show(jobId, true, timeout);
            say("");
            follower.summarize(job);
            String status = job.path("status").asText();
            boolean passes = params.isEmpty() ? demo.endStates().contains(status) : JobStates.isEnded(status);
            if (!passes) {
                err.println("ERROR: job " + jobId + " is " + status + "; the demo expects " + (params.isEmpty()
                        ? String.join(" or ", demo.endStates()) : "it to end") + " (details in " + logDir + ")");
                return 1;
            }
            say("  Checked: the job ended %s. Files written under %s", status, output);
            return 0;
        } catch (LocalStack.StackFailure | ApiOptions.ApiFailure e) {
            err.println("ERROR: " + e.getMessage() + " (details in " + logDir + ")");
            return 1;
        } finally {
            LocalStack.deleteRecursively(dataDir);
        }
    }

    /** The manual trigger of the scheduler, as a user would call it (with the stack's key); returns the job id. */
    static String trigger(int schedulerPort) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + schedulerPort + "/api/triggers"))
                .header("X-API-Key", PipelineServices.LOCAL_API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pipeline\":\"" + PIPELINE + "\"}"))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            Matcher jobId = JOB_ID.matcher(response.body());
            if (response.statusCode() != 202 || !jobId.find()) {
                throw new LocalStack.StackFailure("the scheduler answered " + response.statusCode() + ": " + response.body());
            }
            return jobId.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStack.StackFailure("interrupted while triggering the pipeline");
        }
    }

    private int report(String jobId, PipelineWatcher.Outcome outcome) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!outcome.settled()) {
            problems.add("timed out after " + timeout.toSeconds() + " s before job " + jobId
                    + " had ended with its playlist and notification; last status: " + outcome.status());
        }
        if (outcome.completions().size() > 1) {
            problems.add("expected one JobCompleted, saw " + outcome.completions().size());
        }
        if (!outcome.completions().isEmpty()) {
            JobCompleted done = outcome.completions().get(0);
            say("");
            say("Job %s %s: %d found, %d failed, %d not found, of %d new tracks", jobId, done.getState(),
                    done.getSucceededCount(), done.getFailedCount(), done.getSkippedCount(), done.getExpectedCount());
        }
        for (PlaylistCreated playlist : outcome.playlists()) {
            long entries = countEntries(playlist.getUrl());
            say("  Playlist \"%s\": %d entries (chart tracks without a video left out: %d)", playlist.getTitle(),
                    playlist.getEntryCount(), playlist.getSkippedCount());
            say("    %s", playlist.getUrl());
            if (entries >= 0 && entries != playlist.getEntryCount()) {
                problems.add("the playlist file has " + entries + " entries, the event says " + playlist.getEntryCount());
            }
        }
        if (outcome.playlists().size() != 1) {
            problems.add("expected one playlist, saw " + outcome.playlists().size());
        }
        for (NotificationSent sent : outcome.notifications()) {
            say("  Notification %s (%s): \"%s\" -> %s", sent.getKind(), sent.getChannel(), sent.getSubject(),
                    String.join(", ", sent.getRecipients()));
        }
        if (!problems.isEmpty()) {
            problems.forEach(problem -> spec.commandLine().getErr().println("ERROR: " + problem));
            return 1;
        }
        say("  Checked: one JobCompleted, one playlist whose file has one entry per resolved track, a notification.");
        return 0;
    }

    /** Entries of an .m3u file behind a file URI, or -1 when the playlist is not a local file. */
    private static long countEntries(String url) throws IOException {
        if (!url.startsWith("file:")) {
            return -1;
        }
        try (var lines = Files.lines(Path.of(URI.create(url)))) {
            return lines.filter(line -> line.startsWith("#EXTINF")).count();
        }
    }

    private void say(String format, Object... args) {
        out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
