package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.common.jobs.JobStates;
import io.tally.localruntime.LocalStack;
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
                            job.path("status").asText(), job.path("pipeline").asText("-"), progress(job),
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
                PrintWriter out = spec.commandLine().getOut();
                String path = "/api/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8);
                JsonNode job = api.get(path);
                out.println(String.format(Locale.ROOT, "Job %s  pipeline %s%s  source %s", job.path("jobId").asText(),
                        job.path("pipeline").asText("-"), job.hasNonNull("pipelineVersion")
                                ? " v" + job.path("pipelineVersion").asInt() : "", job.path("sourceRef").asText("-")));
                if (job.path("parameters").isObject()) {
                    StringBuilder parameters = new StringBuilder("  parameters");
                    job.path("parameters").properties().forEach(entry ->
                            parameters.append(' ').append(entry.getKey()).append('=').append(entry.getValue().asText()));
                    out.println(parameters);
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                String last = null;
                while (true) {
                    String line = "  " + progress(job) + "  " + job.path("status").asText() + "  " + stages(job);
                    if (!line.equals(last)) {
                        out.println(line);
                        out.flush();
                        last = line;
                    }
                    if (!follow || JobStates.isEnded(job.path("status").asText()) || System.nanoTime() > deadline) {
                        break;
                    }
                    LocalStack.sleep(1000);
                    job = api.get(path);
                }
                int corrections = job.path("correctionCount").asInt();
                out.println(String.format(Locale.ROOT, "  %d succeeded, %d failed, %d skipped of %s expected%s%s",
                        job.path("succeededCount").asInt(), job.path("failedCount").asInt(),
                        job.path("skippedCount").asInt(), job.path("expectedCount").asText("?"),
                        corrections > 0 ? " (" + corrections + " corrected after a retry or redrive)" : "",
                        job.path("links").has("playlist") ? "; playlist " + job.path("links").path("playlist").asText() : ""));
                if (job.hasNonNull("reason")) {
                    out.println("  " + job.path("status").asText() + ": " + job.path("reason").asText());
                }
                resultLines(job).forEach(out::println);
            });
        }
    }

    /** Longest text of a result field printed on its line; the API has the whole result. */
    static final int RESULT_TEXT_WIDTH = 160;

    /**
     * A job's result in brief: where a cached one came from, one line per field (text cut to
     * {@value #RESULT_TEXT_WIDTH} characters, a list as its size and, for segments with start/end, its time span), or why
     * it could not be read.
     */
    static List<String> resultLines(JsonNode job) {
        List<String> lines = new ArrayList<>();
        if (job.hasNonNull("cachedFrom")) {
            lines.add("  result reused from job " + job.path("cachedFrom").asText() + " (cached; no stage ran)");
        }
        if (job.hasNonNull("resultError")) {
            lines.add("  result unavailable: " + job.path("resultError").asText());
        }
        JsonNode result = job.path("result");
        if (!result.isObject()) {
            return lines;
        }
        lines.add("  result" + (job.path("links").hasNonNull("result")
                ? " (whole: " + job.path("links").path("result").asText() + ")" : ""));
        result.properties().forEach(field -> lines.add("    " + field.getKey() + ": " + brief(field.getValue())));
        return lines;
    }

    private static String brief(JsonNode value) {
        if (value.isNull()) {
            return "-";
        }
        if (value.isArray()) {
            boolean timed = !value.isEmpty() && value.get(0).has("start") && value.get(0).has("end");
            return value.size() + (timed ? String.format(Locale.ROOT, " segments, %.1f-%.1f s",
                    value.get(0).path("start").asDouble(), value.get(value.size() - 1).path("end").asDouble())
                    : " items");
        }
        String text = value.isValueNode() ? value.asText() : value.toString();
        text = text.replaceAll("\\s+", " ").strip();
        return text.length() > RESULT_TEXT_WIDTH ? text.substring(0, RESULT_TEXT_WIDTH) + "…" : text;
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

    /** "[#####·····]  50%  5/10" for a job, or "-" when its size is unknown. */
    static String progress(JsonNode job) {
        if (!job.hasNonNull("progressPercent")) {
            return "[" + ".".repeat(10) + "]    ?  " + job.path("processedCount").asInt() + "/?";
        }
        int percent = (int) job.path("progressPercent").asDouble();
        int filled = Math.min(10, percent / 10);
        return String.format(Locale.ROOT, "[%s%s] %3d%%  %d/%d", "#".repeat(filled), ".".repeat(10 - filled), percent,
                job.path("processedCount").asInt(), job.path("expectedCount").asInt());
    }

    private static String stages(JsonNode job) {
        StringBuilder text = new StringBuilder();
        for (JsonNode stage : job.path("stages")) {
            text.append(stage.path("name").asText()).append(':').append(stage.path("status").asText().toLowerCase(Locale.ROOT))
                    .append("  ");
        }
        return text.toString().strip();
    }
}
