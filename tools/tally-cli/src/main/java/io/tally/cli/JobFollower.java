package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.common.jobs.JobStates;
import io.tally.localruntime.LocalStack;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;

/**
 * One job as the jobs API shows it, printed for people: a header, a line whenever its progress or stages change while
 * it is followed, and a closing summary with the counts, each stage's detail and the job's result. Used by
 * {@code tally jobs show} and {@code tally demo --pipeline}. Known gap: polls once a second; it does not stream.
 */
final class JobFollower {

    /** Longest text of a result field printed in full; longer ones are cut with their length named. */
    static final int TEXT_LIMIT = 240;
    /** Elements of a list in a result printed before "... and N more". */
    static final int LIST_LIMIT = 3;

    private final ApiOptions api;
    private final PrintWriter out;

    JobFollower(ApiOptions api, PrintWriter out) {
        this.api = api;
        this.out = out;
    }

    /**
     * Prints the job's header and progress, following it until it ends when {@code follow} is set, and answers the
     * job as last read.
     *
     * @throws ApiOptions.ApiFailure when the API does not answer or does not know the job
     */
    JsonNode show(String jobId, boolean follow, Duration timeout) {
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
                return job;
            }
            LocalStack.sleep(1000);
            job = api.get(path);
        }
    }

    /** The counts, why it ended, each stage with its detail, and the result. */
    void summarize(JsonNode job) {
        int corrections = job.path("correctionCount").asInt();
        if (job.path("expectedCount").asInt() == 0 && job.path("stages").isArray()) {
            // No fan-out: the stages are what ran, and "0 of 0 items" says nothing.
            long done = 0;
            for (JsonNode stage : job.path("stages")) {
                done += stage.path("status").asText().equals("SUCCEEDED") ? 1 : 0;
            }
            out.println(String.format(Locale.ROOT, "  %d of %d stages succeeded", done, job.path("stages").size()));
        } else {
            out.println(String.format(Locale.ROOT, "  %d succeeded, %d failed, %d skipped of %s expected%s%s",
                    job.path("succeededCount").asInt(), job.path("failedCount").asInt(),
                    job.path("skippedCount").asInt(), job.path("expectedCount").asText("?"),
                    corrections > 0 ? " (" + corrections + " corrected after a retry or redrive)" : "",
                    job.path("links").has("playlist") ? "; playlist " + job.path("links").path("playlist").asText() : ""));
        }
        if (job.hasNonNull("reason")) {
            out.println("  " + job.path("status").asText() + ": " + job.path("reason").asText());
        }
        for (JsonNode stage : job.path("stages")) {
            if (stage.hasNonNull("detail")) {
                out.println(String.format(Locale.ROOT, "  %-12s %s", stage.path("name").asText(),
                        cut(stage.path("detail").asText())));
            }
        }
        if (job.hasNonNull("cachedFrom")) {
            out.println("  result reused from job " + job.path("cachedFrom").asText() + " (no stage ran)");
        }
        if (job.hasNonNull("resultError")) {
            out.println("  result unavailable: " + job.path("resultError").asText());
        }
        JsonNode result = job.path("result");
        if (result.isObject() && !result.isEmpty()) {
            out.println("  result" + (job.path("links").hasNonNull("result")
                    ? " (whole: " + link(job.path("links").path("result").asText()) + ")" : "") + ":");
            result.properties().forEach(field -> {
                if (field.getValue().isObject()) {
                    out.println("    " + field.getKey() + ":");
                    field.getValue().properties().forEach(inner -> printField("  " + inner.getKey(), inner.getValue()));
                } else {
                    printField(field.getKey(), field.getValue());
                }
            });
        }
        out.flush();
    }

    private void printField(String name, JsonNode value) {
        if (value.isArray()) {
            out.println(String.format(Locale.ROOT, "    %s: %d %s", name, value.size(), value.size() == 1 ? "entry" : "entries"));
            Iterator<JsonNode> elements = value.elements();
            for (int shown = 0; elements.hasNext() && shown < LIST_LIMIT; shown++) {
                out.println("      " + element(elements.next()));
            }
            if (value.size() > LIST_LIMIT) {
                out.println("      ... and " + (value.size() - LIST_LIMIT) + " more");
            }
        } else if (value.isTextual() && value.asText().startsWith("/api/")) {
            // A link the API made (an artifact): whole, and absolute so it can be opened as printed.
            out.println("    " + name + ": " + link(value.asText()));
        } else {
            out.println("    " + name + ": " + (value.isValueNode() ? cut(value.asText()) : cut(value.toString())));
        }
    }

    private String link(String path) {
        return path.startsWith("/") ? api.apiUrl.replaceAll("/+$", "") + path : path;
    }

    /** A timed segment ({@code startMs}, {@code endMs}, {@code text}) as "[m:ss.SSS-m:ss.SSS] text", else its JSON. */
    static String element(JsonNode element) {
        if (element.has("startMs") && element.has("endMs") && element.has("text")) {
            return "[" + clock(element.path("startMs").asLong()) + "-" + clock(element.path("endMs").asLong()) + "] "
                    + cut(element.path("text").asText());
        }
        return cut(element.isValueNode() ? element.asText() : element.toString());
    }

    /** Milliseconds as m:ss.SSS. */
    static String clock(long millis) {
        return String.format(Locale.ROOT, "%d:%02d.%03d", millis / 60_000, millis / 1000 % 60, millis % 1000);
    }

    static String cut(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= TEXT_LIMIT ? oneLine
                : oneLine.substring(0, TEXT_LIMIT) + "... (" + oneLine.length() + " characters)";
    }

    /**
     * "[#####·····]  50%  5/10" for a job's items; for a job without a fan-out, its stages: "[####······]  2/5 stages";
     * a bar of dots and "?" while its size is unknown.
     */
    static String progress(JsonNode job) {
        JsonNode stages = job.path("stages");
        if (job.path("expectedCount").isInt() && job.path("expectedCount").asInt() == 0 && !stages.isEmpty()) {
            int ended = 0;
            for (JsonNode stage : stages) {
                String status = stage.path("status").asText();
                ended += status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("SKIPPED") ? 1 : 0;
            }
            int filled = ended * 10 / stages.size();
            return String.format(Locale.ROOT, "[%s%s]  %d/%d stages", "#".repeat(filled), ".".repeat(10 - filled),
                    ended, stages.size());
        }
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
