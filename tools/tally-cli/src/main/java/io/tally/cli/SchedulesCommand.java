package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally schedules list|create|enable|disable|delete|run}: the scheduler's run-time schedules in the terminal,
 * through its HTTP API ({@code --scheduler-url}, default {@code http://localhost:8082}; {@code --api-key}). One line
 * per result; an error is one line on stderr with exit code 1. A schedule is named {@code <pipeline>/<schedule>}.
 * Known gap: configured schedules ({@code tally.scheduler.schedules}) are listed but cannot be changed here.
 */
@Command(name = "schedules", mixinStandardHelpOptions = true,
        description = "Lists the scheduler's schedules; creates, enables, disables, deletes one, or runs it now.",
        subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.CreateSchedule.class,
                SchedulesCommand.EnableSchedule.class, SchedulesCommand.DisableSchedule.class,
                SchedulesCommand.DeleteSchedule.class, SchedulesCommand.RunSchedule.class})
public class SchedulesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the scheduler is and the key to send, with the one HTTP exchange every subcommand uses. */
    static final class SchedulerOptions {

        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Duration TIMEOUT = Duration.ofSeconds(30);

        @Option(names = "--scheduler-url", paramLabel = "URL",
                defaultValue = "${env:TALLY_SCHEDULER_URL:-http://localhost:8082}",
                description = "Base URL of the scheduler (default: $TALLY_SCHEDULER_URL or http://localhost:8082).")
        String schedulerUrl;

        @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:TALLY_API_KEY}",
                description = "API key sent as X-API-Key (default: $TALLY_API_KEY); USER to change, ADMIN to delete.")
        String apiKey;

        /** Sends {@code method path} with {@code body} (JSON, or null for none) and answers the JSON answer. */
        JsonNode call(String method, String path, Object body, Map<String, String> headers) {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(
                                URI.create(schedulerUrl.replaceAll("/+$", "") + path))
                        .timeout(TIMEOUT).header("Accept", "application/json")
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                if (body != null) {
                    request.header("Content-Type", "application/json");
                }
                if (apiKey != null && !apiKey.isBlank()) {
                    request.header("X-API-Key", apiKey);
                }
                headers.forEach(request::header);
                HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode answer = response.body().isBlank() ? JSON.nullNode() : readOrText(response.body());
                if (response.statusCode() / 100 != 2) {
                    String detail = answer.path("detail").asText(answer.path("title").asText(response.body()));
                    throw new ApiOptions.ApiFailure((response.statusCode() + " from " + method + " " + path + ": "
                            + detail + (response.statusCode() == 401 ? " (set --api-key or TALLY_API_KEY)" : "")
                            + (response.statusCode() == 403 ? " (needs a key with the "
                                    + ("DELETE".equals(method) ? "ADMIN" : "USER") + " role)" : ""))
                            .replaceAll("\\s*\\R\\s*", " "));
                }
                return answer;
            } catch (IOException e) {
                throw new ApiOptions.ApiFailure("cannot reach the scheduler at " + schedulerUrl + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiOptions.ApiFailure("interrupted");
            }
        }

        private static JsonNode readOrText(String body) {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.getNodeFactory().textNode(body);
            }
        }
    }

    /** A {@code <pipeline>/<schedule>} argument, checked before anything is sent. */
    static String path(CommandSpec spec, String schedule) {
        if (!schedule.matches("[a-z][a-z0-9-]*/[a-z][a-z0-9-]*")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "SCHEDULE must be <pipeline>/<schedule> in lower-case kebab, such as beatport-chart/weekly; got '"
                            + schedule + "'");
        }
        return "/api/schedules/" + schedule;
    }

    /** One schedule as one line: name, state, origin, cron and zone, next fire time. */
    static String line(JsonNode schedule) {
        return String.format(Locale.ROOT, "%-40s %-8s %-10s %-22s %-14s %s", schedule.path("name").asText(),
                schedule.path("enabled").asBoolean() ? "enabled" : "disabled", schedule.path("origin").asText("-"),
                "\"" + schedule.path("cron").asText() + "\"", schedule.path("zone").asText(),
                schedule.hasNonNull("nextFireTime") ? "next " + schedule.path("nextFireTime").asText() : "next -");
    }

    /** {@code tally schedules list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every schedule, in name order.")
    static final class ListSchedules implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        SchedulerOptions scheduler;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                PrintWriter out = spec.commandLine().getOut();
                JsonNode schedules = scheduler.call("GET", "/api/schedules", null, Map.of());
                for (JsonNode schedule : schedules) {
                    out.println(line(schedule));
                }
                if (schedules.isEmpty()) {
                    out.println("No schedules.");
                }
            });
        }
    }

    /** {@code tally schedules create <pipeline>/<schedule> --cron ...}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a schedule for a published pipeline; the scheduler checks the cron, zone and"
                    + " parameters against the pipeline's definition.")
    static final class CreateSchedule implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        SchedulerOptions scheduler;
        @Parameters(paramLabel = "SCHEDULE", description = "<pipeline>/<schedule>, such as beatport-chart/nightly.")
        String schedule;
        @Option(names = "--cron", required = true, paramLabel = "CRON",
                description = "Spring 6-field cron: second minute hour day-of-month month day-of-week.")
        String cron;
        @Option(names = "--zone", defaultValue = "UTC", description = "Time zone of the cron (default: ${DEFAULT-VALUE}).")
        String zone;
        @Option(names = "--missed-runs", defaultValue = "skip",
                description = "skip or fire-once: what happens to instants missed while no scheduler ran "
                        + "(default: ${DEFAULT-VALUE}).")
        String missedRuns;
        @Option(names = "--disabled", description = "Create it disabled; enable it later.")
        boolean disabled;
        @Option(names = {"-p", "--parameter"}, paramLabel = "NAME=VALUE", description = "A run parameter; repeatable.")
        Map<String, String> parameters = new LinkedHashMap<>();

        @Override
        public Integer call() {
            String path = path(spec, schedule);
            String[] parts = schedule.split("/");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("pipeline", parts[0]);
            body.put("name", parts[1]);
            body.put("cron", cron);
            body.put("zone", zone);
            body.put("enabled", !disabled);
            body.put("missedRuns", missedRuns);
            body.put("parameters", parameters);
            return ApiOptions.run(spec, () -> {
                JsonNode created = scheduler.call("POST", "/api/schedules", body, Map.of());
                spec.commandLine().getOut().println("Created " + describe(created, path));
            });
        }
    }

    /** What the subcommands that act on one schedule share: the scheduler, the schedule and its path. */
    abstract static class OneSchedule implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        SchedulerOptions scheduler;
        @Parameters(paramLabel = "SCHEDULE", description = "<pipeline>/<schedule>, such as beatport-chart/weekly.")
        String schedule;

        @Override
        public Integer call() {
            String path = path(spec, schedule);
            return ApiOptions.run(spec, () -> spec.commandLine().getOut().println(act(path)));
        }

        /** Calls the scheduler for the schedule at {@code path} and answers the one line to print. */
        abstract String act(String path);
    }

    /** Enable and disable: the same call to {@code .../enable} or {@code .../disable}. */
    abstract static class SetEnabled extends OneSchedule {
        private final boolean enabled;

        SetEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        String act(String path) {
            JsonNode changed = scheduler.call("POST", path + (enabled ? "/enable" : "/disable"), null, Map.of());
            return (enabled ? "Enabled " : "Disabled ") + describe(changed, path);
        }
    }

    /** {@code tally schedules enable <pipeline>/<schedule>}. */
    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = "Enables a schedule; it fires from now on (no instant from before).")
    static final class EnableSchedule extends SetEnabled {
        EnableSchedule() {
            super(true);
        }
    }

    /** {@code tally schedules disable <pipeline>/<schedule>}. */
    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disables a schedule; a new definition version does not enable it again.")
    static final class DisableSchedule extends SetEnabled {
        DisableSchedule() {
            super(false);
        }
    }

    /** {@code tally schedules delete <pipeline>/<schedule>}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes a schedule (ADMIN); one the definition declares stays deleted until created again.")
    static final class DeleteSchedule extends OneSchedule {
        @Override
        String act(String path) {
            scheduler.call("DELETE", path, null, Map.of());
            return "Deleted schedule " + schedule;
        }
    }

    /** {@code tally schedules run <pipeline>/<schedule>}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs the schedule's pipeline now with its parameters, recorded as a manual run.")
    static final class RunSchedule extends OneSchedule {
        @Option(names = "--idempotency-key", paramLabel = "KEY",
                description = "Retries with the same key start one run.")
        String idempotencyKey;

        @Override
        String act(String path) {
            JsonNode accepted = scheduler.call("POST", path + "/run", null,
                    idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
            return "Started job " + accepted.path("jobId").asText() + " from schedule " + schedule + " (trigger "
                    + accepted.path("triggerId").asText() + "); follow it with: tally jobs show "
                    + accepted.path("jobId").asText();
        }
    }

    private static String describe(JsonNode schedule, String path) {
        return "schedule " + schedule.path("name").asText(path.substring("/api/schedules/".length())) + ": "
                + (schedule.path("enabled").asBoolean() ? "enabled" : "disabled") + ", \""
                + schedule.path("cron").asText() + "\" " + schedule.path("zone").asText() + ", next "
                + (schedule.hasNonNull("nextFireTime") ? schedule.path("nextFireTime").asText() : "-");
    }
}
