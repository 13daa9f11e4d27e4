package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tally workers} and {@code tally workers show} against a local HTTP server answering like the jobs API. */
class WorkersCommandTest {

    private static final String LIST = """
            {"asOf": "2026-01-01T12:00:00Z", "newestHeartbeat": "2026-01-01T11:59:58Z", "staleAfterMs": 30000,
             "groupsReadAt": "2026-01-01T11:59:59Z", "groupsError": null, "workers": [
              {"instanceId": "fetch-1", "derivedStatus": "BUSY", "status": "BUSY", "taskTypes": ["fetch", "probe"],
               "currentTask": "task-42", "tasksSucceeded": 7, "tasksFailed": 2, "heartbeatAgeMs": 2000},
              {"instanceId": "fetch-2", "derivedStatus": "LOST", "status": "IDLE", "taskTypes": ["fetch"],
               "currentTask": null, "tasksSucceeded": 0, "tasksFailed": 0, "heartbeatAgeMs": 125000}]}
            """;

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
    void listsOneLinePerWorkerAndAFooterStatingFreshness() {
        // Given the API knows a busy and a lost worker
        api.answer = LIST;

        // When the workers are listed
        Run run = tally("workers");

        // Then each has its line with status, types, task, done/failed and heartbeat age, and the footer its freshness
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests).containsExactly("GET /api/workers admin-key ");
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).contains("fetch-1", "BUSY", "fetch,probe", "task-42", "7/2", "2s ago");
        assertThat(lines.get(2)).contains("fetch-2", "LOST", "0/0", "2m05s ago").doesNotContain("null");
        assertThat(lines.get(3)).isEqualTo("2 worker(s) as of 2026-01-01T12:00:00Z; newest heartbeat "
                + "2026-01-01T11:59:58Z; LOST after 30s without one; group membership read 2026-01-01T11:59:59Z");
    }

    @Test
    void showsOneWorkerAndReportsAnUnknownOneOnStderr() {
        // Given one lost worker whose last heartbeat said IDLE and which holds partitions of fetch
        api.answer = """
                {"instanceId": "fetch-2", "derivedStatus": "LOST", "status": "IDLE", "service": "fetcher",
                 "host": "pod-2", "taskTypes": ["fetch"], "currentTask": null, "tasksSucceeded": 3, "tasksFailed": 1,
                 "leaderOf": ["sources"], "lastHeartbeat": "2026-01-01T11:57:55Z", "heartbeatAgeMs": 125000,
                 "heartbeatIntervalMs": 10000, "sessionStartedAt": "2026-01-01T10:00:00Z",
                 "partitions": {"fetch": [0, 2]}, "inGroup": true}
                """;

        // When it is shown
        Run run = tally("workers", "show", "fetch/2");

        // Then the id is encoded in the path and the output names its derived and stated status and partitions
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests).containsExactly("GET /api/workers/fetch%2F2 admin-key ");
        assertThat(run.out()).contains("LOST (last heartbeat said IDLE)", "fetcher on pod-2", "done/failed   3/1",
                "leader of     sources", "2m05s ago, every 10s", "fetch [0,2]");

        // When an unknown worker is shown, Then the API's 404 detail goes to stderr with exit code 1
        api.status = 404;
        api.answer = "{\"status\": 404, \"detail\": \"worker 'nobody' is not known\"}";
        Run unknown = tally("workers", "show", "nobody");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("404").contains("worker 'nobody' is not known");
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
