package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
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
 * {@code tally sources add|list}: seed 002's sources table over the jobs API. A source is a run of the
 * {@code media-sources} pipeline with its {@code url} parameter (services/media-workers); listing them is listing that
 * pipeline's jobs. Known gap: a source added twice is two runs (the second queues nothing new), listed twice.
 */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = "Adds a YouTube playlist or channel as a source (a media-sources run) and lists the sources.",
        subcommands = {SourcesCommand.Add.class, SourcesCommand.ListSources.class})
public class SourcesCommand implements Runnable {

    /** The pipeline whose runs are the sources. */
    static final String PIPELINE = "media-sources";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code tally sources add <url>}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds a playlist or channel URL as a source: starts a media-sources run; prints its job id.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "URL", description = "The playlist or channel URL.")
        String url;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JsonNode accepted = api.post("/api/pipelines/" + PIPELINE + "/runs", Map.of("parameters", Map.of("url", url)));
                String jobId = accepted.path("jobId").asText();
                spec.commandLine().getOut().println("source " + url + " added: job " + jobId
                        + "; follow it with: tally jobs show " + jobId);
            });
        }
    }

    /** {@code tally sources list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the sources (media-sources runs): URL, status, videos ok/failed/skipped, what was picked.")
    static final class ListSources implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Option(names = "--size", defaultValue = "50", description = "How many sources, one page of the jobs API (default 50).")
        int size;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JsonNode answer = api.get("/api/jobs?pipeline=" + PIPELINE + "&page=0&size=" + size);
                PrintWriter out = spec.commandLine().getOut();
                String row = "%-56s %-24s %-16s %-44s %s";
                out.println(String.format(Locale.ROOT, row, "URL", "STATUS", "OK/FAILED/SKIP", "JOB", "PICKED"));
                for (JsonNode job : answer.path("items")) {
                    out.println(String.format(Locale.ROOT, row, job.path("parameters").path("url").asText("-"),
                            job.path("status").asText(), job.path("succeededCount").asInt() + "/"
                                    + job.path("failedCount").asInt() + "/" + job.path("skippedCount").asInt(),
                            job.path("jobId").asText(), picked(job)));
                }
                out.println(answer.path("items").size() + " of " + answer.path("total").asLong() + " sources");
            });
        }

        /** The pick stage's detail: how many items were new, done, dead-lettered. */
        private static String picked(JsonNode job) {
            for (JsonNode stage : job.path("stages")) {
                if ("pick".equals(stage.path("name").asText()) && stage.hasNonNull("detail")) {
                    return stage.path("detail").asText();
                }
            }
            return "-";
        }
    }
}
