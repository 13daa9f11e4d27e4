package io.tally.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tally schedules ...} against WireMock answering like the scheduler's {@code /api/schedules}: the method,
 * path, key and body each subcommand sends, one line per result, one line per error, and no call for a bad argument.
 */
class SchedulesCommandTest {

    private static final String NIGHTLY = """
            {"name": "chart/nightly", "pipeline": "chart", "origin": "api", "enabled": true, "cron": "0 0 2 * * *",
             "zone": "UTC", "nextFireTime": "2026-12-04T02:00:00Z"}""";

    private WireMockServer scheduler;
    /** Kept, so a test can stop the server and still point the command at where it was. */
    private int port;

    @BeforeEach
    void startTheScheduler() {
        scheduler = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        scheduler.start();
        port = scheduler.port();
    }

    @AfterEach
    void stopTheScheduler() {
        scheduler.stop();
    }

    @Test
    void listPrintsOneLinePerScheduleWithStateOriginCronAndNextFireTime() {
        // Given the scheduler lists a created schedule and a disabled declared one
        scheduler.stubFor(get("/api/schedules").willReturn(json(200, "[" + NIGHTLY + ", {\"name\": \"chart/weekly\","
                + " \"origin\": \"definition\", \"enabled\": false, \"cron\": \"0 0 2 * * SUN\","
                + " \"zone\": \"Europe/Berlin\", \"nextFireTime\": null}]")));
        // When they are listed
        Run run = tally("schedules", "list");
        // Then one line each, in the scheduler's order, from GET /api/schedules with the key
        assertThat(run.exitCode()).as(run.err()).isZero();
        scheduler.verify(getRequestedFor(urlEqualTo("/api/schedules")).withHeader("X-API-Key", equalTo("user-key")));
        assertThat(run.out().lines()).hasSize(2);
        assertThat(run.out().lines().toList().get(0)).startsWith("chart/nightly").contains("enabled").contains("api")
                .contains("\"0 0 2 * * *\"").contains("next 2026-12-04T02:00:00Z");
        assertThat(run.out().lines().toList().get(1)).startsWith("chart/weekly").contains("disabled")
                .contains("definition").contains("Europe/Berlin").endsWith("next -");
    }

    @Test
    void createPostsTheScheduleWithItsParametersAndPrintsOneLine() {
        // Given the scheduler creates it
        scheduler.stubFor(post("/api/schedules").willReturn(json(201, NIGHTLY)));
        // When a disabled schedule with two parameters is created
        Run run = tally("schedules", "create", "chart/nightly", "--cron", "0 0 2 * * *", "--zone", "Europe/Berlin",
                "--missed-runs", "fire-once", "--disabled", "-p", "chart=hype-100", "-p", "count=25");
        // Then the body says exactly that, and one line says what was created
        assertThat(run.exitCode()).as(run.err()).isZero();
        scheduler.verify(postRequestedFor(urlEqualTo("/api/schedules")).withHeader("X-API-Key", equalTo("user-key"))
                .withRequestBody(equalToJson("""
                        {"pipeline": "chart", "name": "nightly", "cron": "0 0 2 * * *", "zone": "Europe/Berlin",
                         "enabled": false, "missedRuns": "fire-once",
                         "parameters": {"chart": "hype-100", "count": "25"}}""")));
        assertThat(run.out().lines()).containsExactly(
                "Created schedule chart/nightly: enabled, \"0 0 2 * * *\" UTC, next 2026-12-04T02:00:00Z");
    }

    @Test
    void enableDisableDeleteAndRunCallTheirEndpointsAndPrintOneLineEach() {
        // Given the scheduler accepts each change
        scheduler.stubFor(post("/api/schedules/chart/nightly/enable").willReturn(json(200, NIGHTLY)));
        scheduler.stubFor(post("/api/schedules/chart/nightly/disable").willReturn(json(200,
                NIGHTLY.replace("\"enabled\": true", "\"enabled\": false"))));
        scheduler.stubFor(delete("/api/schedules/chart/nightly").willReturn(aResponse().withStatus(204)));
        scheduler.stubFor(post("/api/schedules/chart/nightly/run").willReturn(json(202,
                "{\"triggerId\": \"manual:again-1\", \"jobId\": \"chart-20261203-0400-abc\"}")));

        // When each subcommand runs
        Run enable = tally("schedules", "enable", "chart/nightly");
        Run disable = tally("schedules", "disable", "chart/nightly");
        Run delete = tally("schedules", "delete", "chart/nightly");
        Run run = tally("schedules", "run", "chart/nightly", "--idempotency-key", "again-1");

        // Then each called its endpoint once, with the key, and printed one line
        scheduler.verify(1, postRequestedFor(urlEqualTo("/api/schedules/chart/nightly/enable")));
        scheduler.verify(1, postRequestedFor(urlEqualTo("/api/schedules/chart/nightly/disable")));
        scheduler.verify(1, deleteRequestedFor(urlEqualTo("/api/schedules/chart/nightly"))
                .withHeader("X-API-Key", equalTo("user-key")));
        scheduler.verify(1, postRequestedFor(urlEqualTo("/api/schedules/chart/nightly/run"))
                .withHeader("Idempotency-Key", equalTo("again-1")));
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
        // Given the scheduler refuses a bad cron and parameter (400, a detail naming both), and a delete without ADMIN
        scheduler.stubFor(post("/api/schedules").willReturn(problem(400, "cron: not a 6-field Spring cron"
                + " expression;\\nparameters.count: 'many' is not a whole number")));
        scheduler.stubFor(delete("/api/schedules/chart/nightly").willReturn(problem(403, "Forbidden")));
        // When a schedule is created with them, and deleted
        Run invalid = tally("schedules", "create", "chart/nightly", "--cron", "every day", "-p", "count=many");
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
        scheduler.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void saysWhereItLookedWhenTheSchedulerIsNotThere() {
        // Given nothing listens where the scheduler should be
        scheduler.stop();
        // When the schedules are listed
        Run run = tally("schedules", "list");
        // Then one line says which URL could not be reached
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("ERROR: cannot reach the scheduler at http://127.0.0.1:");
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static ResponseDefinitionBuilder problem(int status, String detail) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/problem+json")
                .withBody("{\"status\": " + status + ", \"detail\": \"" + detail + "\"}");
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run tally(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = Stream.concat(Stream.of(args), Stream.of("--scheduler-url",
                "http://127.0.0.1:" + port, "--api-key", "user-key")).toArray(String[]::new);
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(all);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
