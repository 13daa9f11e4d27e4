package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally jobs list|show|cancel}: the jobs API in the terminal. {@code show} follows a running job with a
 * progress bar until it ends; {@code cancel} asks the engine to cancel a running job. Known gap: one page per
 * {@code list} call; use {@code --page} for more.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Lists jobs, shows one job with its stages, cancels a running job.",
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.ShowJob.class, JobsCommand.CancelJob.class})
public class JobsCommand implements Runnable {


    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code tally jobs list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Option(names = "--status", description = "Only jobs in this state, e.g. RUNNING or COMPLETED.")
        String status;
        @Option(names = "--pipeline", description = "Only jobs of this pipeline.")
        String pipeline;
        @Option(names = "--page", defaultValue = "0", description = "Page number, from 0 (default: ${DEFAULT-VALUE}).")
        int page;
        @Option(names = "--size", defaultValue = "20", description = "Jobs per page (default: ${DEFAULT-VALUE}).")
        int size;

        @Override
        public Integer call() {
            StringBuilder query = new StringBuilder("/api/jobs?page=" + page + "&size=" + size);
            if (status != null) {
                query.append("&status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8));
            }
            if (pipeline != null) {
                query.append("&pipeline=").append(URLEncoder.encode(pipeline, StandardCharsets.UTF_8));
            }
            return ApiOptions.run(spec, () -> {
                JsonNode answer = api.get(query.toString());
                PrintWriter out = spec.commandLine().getOut();
                out.println(String.format(Locale.ROOT, "%-44s %-24s %-16s %-26s %s", "JOB", "STATUS", "PIPELINE",
                        "PROGRESS", "CREATED"));
                for (JsonNode job : answer.path("items")) {
                    out.println(String.format(Locale.ROOT, "%-44s %-24s %-16s %-26s %s", job.path("jobId").asText(),
                            job.path("status").asText(), job.path("pipeline").asText("-"), JobFollower.progress(job),
                            job.path("createdAt").asText("-")));
                }
                out.println(String.format(Locale.ROOT, "page %d, %d of %d jobs", answer.path("page").asInt(),
                        answer.path("items").size(), answer.path("total").asLong()));
            });
        }
    }

    /** {@code tally jobs show <jobId>}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows a job with its stages; follows a running job until it ends.")
    static final class ShowJob implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "JOB_ID", description = "The job to show.")
        String jobId;
        @Option(names = "--no-follow", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Follow a running job until it ends (default: follow).")
        boolean follow;
        @Option(names = "--timeout", defaultValue = "10m", converter = DurationConverter.class,
                description = "Stop following after this long (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JobFollower follower = new JobFollower(api, spec.commandLine().getOut());
                follower.summarize(follower.show(jobId, follow, timeout));
            });
        }
    }

    /** {@code tally jobs cancel <jobId> [--reason TEXT]}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Asks the engine to cancel a running job; it ends CANCELLED and its workers stop. Exit code 1"
                    + " for a job the API does not know or one that has already ended.")
    static final class CancelJob implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "JOB_ID", description = "The job to cancel.")
        String jobId;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, shown with the cancelled job.")
        String reason;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JsonNode answer = api.post("/api/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8)
                        + "/cancel", reason == null ? null : Map.of("reason", reason));
                spec.commandLine().getOut().println("Cancel of job " + answer.path("jobId").asText(jobId)
                        + " requested; follow it with: tally jobs show " + answer.path("jobId").asText(jobId));
            });
        }
    }
}
