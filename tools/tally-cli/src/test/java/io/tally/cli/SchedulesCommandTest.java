package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tally schedules ...} against a local HTTP server that records what each subcommand sends and answers like
 * the scheduler's {@code /api/schedules}: the method, path, key and body sent, one line per result, one line per error.
 */
class SchedulesCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NIGHTLY = """
            {"name": "chart/nightly", "pipeline": "chart", "origin": "api", "enabled": true, "cron": "0 0 2 * * *",
             "zone": "UTC", "nextFireTime": "2026-12-04T02:00:00Z"}""";

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{}";

    @BeforeEach
    void startTheFakeScheduler() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("X-API-Key") + " "
                    + exchange.getRequestHeaders().getFirst("Idempotency-Key") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status / 100 == 2 ? "application/json"
                    : "application/problem+json");
            exchange.sendResponseHeaders(status, status == 204 ? -1 : body.length);
            if (status != 204) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopTheFakeScheduler() {
        server.stop(0);
    }

    @Test
    void listPrintsOneLinePerScheduleWithStateOriginCronAndNextFireTime() {
        // Given the scheduler lists a created schedule and a disabled declared one
        answer = "[" + NIGHTLY + ", {\"name\": \"chart/weekly\", \"origin\": \"definition\", \"enabled\": false,"
                + " \"cron\": \"0 0 2 * * SUN\", \"zone\": \"Europe/Berlin\", \"nextFireTime\": null}]";
        // When they are listed
        Run run = tally("schedules", "list");
        // Then one line each, in the scheduler's order, from GET /api/schedules
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(requests).singleElement().asString().startsWith("GET /api/schedules user-key");
        assertThat(run.out().lines()).hasSize(2);
        assertThat(run.out().lines().toList().get(0)).startsWith("chart/nightly").contains("enabled").contains("api")
                .contains("\"0 0 2 * * *\"").contains("next 2026-12-04T02:00:00Z");
        assertThat(run.out().lines().toList().get(1)).startsWith("chart/weekly").contains("disabled")
                .contains("definition").contains("Europe/Berlin").endsWith("next -");
    }

    @Test
    void createPostsTheScheduleWithItsParametersAndPrintsOneLine() throws Exception {
        // Given the scheduler creates it
        status = 201;
        answer = NIGHTLY;
        // When a disabled schedule with two parameters is created
        Run run = tally("schedules", "create", "chart/nightly", "--cron", "0 0 2 * * *", "--zone", "Europe/Berlin",
                "--missed-runs", "fire-once", "--disabled", "-p", "chart=hype-100", "-p", "count=25");
        // Then the body says exactly that, and one line says what was created
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(requests).singleElement().asString().startsWith("POST /api/schedules user-key ");
        assertThat(body(0)).isEqualTo(JSON.readTree("""
                {"pipeline": "chart", "name": "nightly", "cron": "0 0 2 * * *", "zone": "Europe/Berlin",
                 "enabled": false, "missedRuns": "fire-once", "parameters": {"chart": "hype-100", "count": "25"}}"""));
        assertThat(run.out().lines()).containsExactly(
                "Created schedule chart/nightly: enabled, \"0 0 2 * * *\" UTC, next 2026-12-04T02:00:00Z");
    }

    @Test
    void enableDisableDeleteAndRunCallTheirEndpointsAndPrintOneLineEach() {
        // Given the scheduler accepts each change
        answer = NIGHTLY;
        Run enable = tally("schedules", "enable", "chart/nightly");
        answer = NIGHTLY.replace("\"enabled\": true", "\"enabled\": false");
        Run disable = tally("schedules", "disable", "chart/nightly");
        status = 204;
        Run delete = tally("schedules", "delete", "chart/nightly");
        status = 202;
        answer = "{\"triggerId\": \"manual:again-1\", \"jobId\": \"chart-20261203-0400-abc\"}";
        Run run = tally("schedules", "run", "chart/nightly", "--idempotency-key", "again-1");

        // Then each called its endpoint, and printed one line
        assertThat(requests).extracting(request -> request.substring(0, request.indexOf(" user-key")))
                .containsExactly("POST /api/schedules/chart/nightly/enable", "POST /api/schedules/chart/nightly/disable",
                        "DELETE /api/schedules/chart/nightly", "POST /api/schedules/chart/nightly/run");
        assertThat(requests.get(3)).contains("user-key again-1");
        assertThat(Stream.of(enable, disable, delete, run)).allSatisfy(r -> {
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out().lines()).hasSize(1);
        });
        assertThat(enable.out()).startsWith("Enabled schedule chart/nightly: enabled");
        assertThat(disable.out()).startsWith("Disabled schedule chart/nightly: disabled");
        assertThat(delete.out().strip()).isEqualTo("Deleted schedule chart/nightly");
        assertThat(run.out()).contains("job chart-20261203-0400-abc").contains("manual:again-1");
    }

    @Test
    void printsAProblemOnOneLineOfStderrWithExitCode1() {
        // Given the scheduler refuses a bad cron and parameter (400, a detail naming both), then a delete without ADMIN
        status = 400;
        answer = "{\"status\": 400, \"detail\": \"cron: not a 6-field Spring cron expression;\\nparameters.count:"
                + " 'many' is not a whole number\", \"errors\": []}";
        Run invalid = tally("schedules", "create", "chart/nightly", "--cron", "every day", "-p", "count=many");
        status = 403;
        answer = "{\"status\": 403, \"detail\": \"Forbidden\"}";
        Run forbidden = tally("schedules", "delete", "chart/nightly");

        // Then each is one line on stderr naming the status and the detail, nothing on stdout, exit code 1
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.out()).isEmpty();
        assertThat(invalid.err().lines()).singleElement().asString().startsWith("ERROR: 400 from POST /api/schedules")
                .contains("cron: not a 6-field").contains("parameters.count");
        assertThat(forbidden.exitCode()).isEqualTo(1);
        assertThat(forbidden.err().lines()).singleElement().asString().contains("403").contains("ADMIN");
    }

    @Test
    void refusesAScheduleThatIsNotPipelineSlashNameWithoutCallingTheScheduler() {
        // When a schedule is named without its pipeline
        Run run = tally("schedules", "enable", "nightly");
        // Then it is a usage error and nothing was sent
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("<pipeline>/<schedule>");
        assertThat(requests).isEmpty();
    }

    @Test
    void saysWhereItLookedWhenTheSchedulerIsNotThere() {
        // Given nothing listens where the scheduler should be
        server.stop(0);
        // When the schedules are listed
        Run run = tally("schedules", "list");
        // Then one line says which URL could not be reached
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString().startsWith("ERROR: cannot reach the scheduler at http://127.0.0.1:");
    }

    private JsonNode body(int request) throws IOException {
        String line = requests.get(request);
        return JSON.readTree(line.substring(line.indexOf('{')));
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run tally(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = Stream.concat(Stream.of(args), Stream.of("--scheduler-url",
                "http://127.0.0.1:" + server.getAddress().getPort(), "--api-key", "user-key")).toArray(String[]::new);
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(all);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
