package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The dlt, replay, rerun, jobs cancel and pipelines list/show commands against a local HTTP server that records what they send and answers like the
 * jobs API; the real API is exercised by {@link PipelineEndToEndTest}.
 */
class AdminCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeApi api;

    @BeforeEach
    void startTheFakeApi() throws IOException {
        api = new FakeApi();
    }

    @AfterEach
    void stopTheFakeApi() {
        api.close();
    }

    @Test
    void redrivePostsTheSelectedOffsetsAndPrintsTheCounts() throws Exception {
        // Given the API answers counts
        api.answer = "{\"selected\": 2, \"redriven\": 1, \"skipped\": 1}";
        // When two offsets are redriven
        Run run = tally("dlt", "redrive", "tally.dlt.tasks.search-track", "--offset", "0:3", "--offset", "1:4");
        // Then the body names them, and the counts are printed
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests).singleElement().asString()
                .startsWith("POST /api/admin/dead-letters/tally.dlt.tasks.search-track/redrive admin-key ");
        assertThat(body(0)).isEqualTo(JSON.readTree("{\"offsets\": [{\"partition\": 0, \"offset\": 3}, {\"partition\": 1, \"offset\": 4}]}"));
        assertThat(run.out()).contains("selected 2, redriven 1, skipped 1");
    }

    @Test
    void refusesAllTogetherWithOffsetsAndAMalformedOffsetWithoutCallingTheApi() {
        // When --all and --offset are combined, and an offset is not PARTITION:OFFSET
        Run both = tally("dlt", "redrive", "tally.dlt.tasks.search-track", "--all", "--offset", "0:1");
        Run malformed = tally("dlt", "redrive", "tally.dlt.tasks.search-track", "--offset", "three");
        // Then both are usage errors and nothing was sent
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).contains("PARTITION:OFFSET");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void replaySendsTheRangeAndPrintsADryRunCount() throws Exception {
        // Given the API answers a dry-run count
        api.answer = "{\"topic\": \"tally.jobs.items\", \"records\": 7, \"dryRun\": true}";
        // When a time range is dry-run
        Run run = tally("replay", "tally.jobs.items", "--from-timestamp", "2026-11-23T10:00:00Z", "--to-offset", "9",
                "--dry-run");
        // Then the body holds exactly the given bounds, and the count is printed
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(body(0)).isEqualTo(JSON.readTree("{\"topic\": \"tally.jobs.items\", \"fromTimestamp\": "
                + "\"2026-11-23T10:00:00Z\", \"toOffset\": 9, \"dryRun\": true}"));
        assertThat(run.out()).contains("dry run: 7 record(s) of tally.jobs.items would be replayed");
    }

    @Test
    void rerunPrintsTheNewJobAndAnApiErrorExitsWith1() {
        // Given the API accepts the first re-run and does not know the second job
        api.answer = "{\"jobId\": \"beatport-chart-new\", \"triggerId\": \"api:1\"}";
        Run accepted = tally("rerun", "old-job");
        api.status = 404;
        api.answer = "{\"status\": 404, \"detail\": \"job 'gone' is not known\"}";
        Run unknown = tally("rerun", "gone");
        // Then the new job id is printed, and the 404 detail goes to stderr with exit code 1
        assertThat(accepted.exitCode()).isZero();
        assertThat(accepted.out()).contains("job beatport-chart-new");
        assertThat(api.requests.get(0)).startsWith("POST /api/jobs/old-job/rerun admin-key");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("404").contains("job 'gone' is not known");
    }

    @Test
    void jobsCancelPostsTheReasonAndPrintsOneLine() throws Exception {
        // Given the API accepts the cancel
        api.answer = "{\"jobId\": \"chart-job-1\", \"links\": {\"self\": \"/api/jobs/chart-job-1\"}}";
        // When a job is cancelled with a reason
        Run run = tally("jobs", "cancel", "chart-job-1", "--reason", "wrong date");
        // Then the reason is the body, and one line says what happened
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests).singleElement().asString().startsWith("POST /api/jobs/chart-job-1/cancel admin-key ");
        assertThat(body(0)).isEqualTo(JSON.readTree("{\"reason\": \"wrong date\"}"));
        assertThat(run.out().lines()).containsExactly(
                "Cancel of job chart-job-1 requested; follow it with: tally jobs show chart-job-1");
    }

    @Test
    void jobsCancelOfAnEndedJobPrintsTheApiDetailAndExitsWith1() {
        // Given the API answers that the job already ended
        api.status = 409;
        api.answer = "{\"status\": 409, \"detail\": \"job 'chart-job-1' has already ended COMPLETED\"}";
        // When it is cancelled without a reason
        Run run = tally("jobs", "cancel", "chart-job-1");
        // Then nothing is sent as body, and the detail goes to stderr with exit code 1
        assertThat(api.requests).singleElement().asString().isEqualTo("POST /api/jobs/chart-job-1/cancel admin-key ");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("409").contains("has already ended COMPLETED");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void pipelinesListAndShowPrintWhatTheApiPublishes() {
        // Given the API knows one pipeline at version 2
        api.answer = """
                {"name": "chart", "description": "Chart to playlist", "version": 2, "versions": [1, 2],
                 "parameters": [{"name": "date", "type": "DATE", "required": true},
                                {"name": "chart", "type": "STRING", "defaultValue": "top-100", "required": false}],
                 "schedules": [{"name": "weekly", "cron": "0 0 8 * * MON", "zone": "UTC", "enabled": true}],
                 "stages": [{"id": "scrape", "task": "scrape-chart", "dependsOn": [], "forEach": false},
                            {"id": "search", "task": "search-track", "dependsOn": ["scrape"], "forEach": true}]}
                """;
        // When it is shown at version 1, then the list is asked for
        Run show = tally("pipelines", "show", "chart", "1");
        api.answer = "[" + api.answer + "]";
        Run list = tally("pipelines", "list");
        // Then show names its parameters, schedule and stages in order with their dependencies, and list one line each
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(api.requests.get(0)).startsWith("GET /api/pipelines/chart/versions/1 admin-key");
        assertThat(show.out().lines()).containsExactly(
                "chart v2  Chart to playlist",
                "  versions published: 1, 2",
                "  parameter date date required",
                "  parameter chart string default top-100",
                "  schedule weekly \"0 0 8 * * MON\" UTC",
                "  stage scrape: scrape-chart",
                "  stage search: search-track for each after scrape");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(api.requests.get(1)).startsWith("GET /api/pipelines admin-key");
        assertThat(list.out().lines()).hasSize(3).element(1).asString()
                .startsWith("chart").contains("v2").contains("Chart to playlist");
    }

    @Test
    void jobsShowPrintsTheParametersAnEngineJobRunsWith() {
        // Given the API has an ended engine job with its parameters
        api.answer = """
                {"jobId": "chart-1", "status": "COMPLETED", "pipeline": "chart", "pipelineVersion": 2,
                 "parameters": {"chart": "house/5", "date": "latest"}, "sourceRef": "beatport/2026/01/25/top100",
                 "expectedCount": 3, "succeededCount": 3, "failedCount": 0, "skippedCount": 0, "correctionCount": 0,
                 "stages": [], "links": {"self": "/api/jobs/chart-1"}}
                """;
        // When it is shown
        Run show = tally("jobs", "show", "chart-1", "--no-follow");
        // Then the header names the version and the next line the parameters, in the API's order
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out().lines()).startsWith("Job chart-1  pipeline chart v2  source beatport/2026/01/25/top100",
                "  parameters chart=house/5 date=latest");
    }

    private JsonNode body(int request) throws IOException {
        String line = api.requests.get(request);
        return JSON.readTree(line.substring(line.indexOf('{')));
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run tally(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--api-url", api.url(), "--api-key", "admin-key"))
                .toArray(String[]::new);
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(all);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
