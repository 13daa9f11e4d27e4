package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally workers [show <id>]}: the workers view of the jobs API ({@code GET /api/workers}), one line per worker
 * instance and a footer saying how fresh the answer is (the view is built from heartbeats, so it is as old as the
 * newest heartbeat, and an instance is LOST after {@code staleAfterMs} without one).
 */
@Command(name = "workers", mixinStandardHelpOptions = true,
        description = "Lists the worker instances: status, task types, current task, done/failed, heartbeat age.",
        subcommands = WorkersCommand.Show.class)
public class WorkersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Mixin
    ApiOptions api;

    @Override
    public Integer call() {
        return ApiOptions.run(spec, () -> {
            JsonNode answer = api.get("/api/workers");
            PrintWriter out = spec.commandLine().getOut();
            out.println(String.format(Locale.ROOT, "%-32s %-9s %-28s %-24s %11s  %s", "WORKER", "STATUS",
                    "TASK TYPES", "CURRENT TASK", "DONE/FAILED", "HEARTBEAT"));
            for (JsonNode worker : answer.path("workers")) {
                out.println(String.format(Locale.ROOT, "%-32s %-9s %-28s %-24s %11s  %s ago",
                        worker.path("instanceId").asText(), worker.path("derivedStatus").asText(),
                        String.join(",", texts(worker.path("taskTypes"))), text(worker.path("currentTask")),
                        worker.path("tasksSucceeded").asLong() + "/" + worker.path("tasksFailed").asLong(),
                        age(worker.path("heartbeatAgeMs").asLong())));
            }
            out.println(footer(answer));
        });
    }

    /** The freshness line: how many workers, as of when, the newest heartbeat, and when one counts as lost. */
    static String footer(JsonNode answer) {
        String footer = String.format(Locale.ROOT, "%d worker(s) as of %s; newest heartbeat %s; LOST after %s "
                        + "without one; group membership read %s", answer.path("workers").size(),
                answer.path("asOf").asText(), text(answer.path("newestHeartbeat")),
                age(answer.path("staleAfterMs").asLong()), text(answer.path("groupsReadAt")));
        String groupsError = text(answer.path("groupsError"));
        return groupsError.equals("-") ? footer : footer + " (" + groupsError + ")";
    }

    /** {@code tally workers show <id>}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one worker instance in full.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "INSTANCE_ID", description = "The worker instance id (tally.worker.instance-id).")
        String instanceId;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JsonNode w = api.get("/api/workers/" + URLEncoder.encode(instanceId, StandardCharsets.UTF_8));
                PrintWriter out = spec.commandLine().getOut();
                out.println("worker        " + w.path("instanceId").asText());
                out.println("status        " + w.path("derivedStatus").asText()
                        + (w.path("derivedStatus").asText().equals(w.path("status").asText()) ? ""
                        : " (last heartbeat said " + w.path("status").asText() + ")"));
                out.println("service       " + w.path("service").asText() + " on " + w.path("host").asText());
                out.println("task types    " + String.join(", ", texts(w.path("taskTypes"))));
                out.println("current task  " + text(w.path("currentTask"))
                        + (w.path("currentTaskSince").isTextual() ? " since " + w.path("currentTaskSince").asText() : ""));
                out.println("done/failed   " + w.path("tasksSucceeded").asLong() + "/" + w.path("tasksFailed").asLong());
                out.println("leader of     " + (w.path("leaderOf").isEmpty() ? "-" : String.join(", ", texts(w.path("leaderOf")))));
                out.println("heartbeat     " + w.path("lastHeartbeat").asText() + " (" + age(w.path("heartbeatAgeMs").asLong())
                        + " ago, every " + age(w.path("heartbeatIntervalMs").asLong()) + ")");
                out.println("session since " + w.path("sessionStartedAt").asText());
                List<String> partitions = new ArrayList<>();
                w.path("partitions").properties().forEach(e -> partitions.add(e.getKey() + " " + e.getValue()));
                out.println("partitions    " + (partitions.isEmpty() ? "none (not in a worker group)"
                        : String.join("; ", partitions)));
            });
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? "-" : node.asText();
    }

    /** 950 → "950ms", 12_300 → "12s", 125_000 → "2m05s". */
    static String age(long ms) {
        if (ms < 1_000) {
            return ms + "ms";
        }
        long seconds = ms / 1_000;
        return seconds < 60 ? seconds + "s" : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
}
