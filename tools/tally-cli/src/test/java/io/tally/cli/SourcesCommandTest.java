package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tally sources add|list} against a local HTTP server that records what they send and answers like the jobs API. */
class SourcesCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLAYLIST = "https://www.youtube.com/playlist?list=PLtallyFixtureLofi";

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
    void addStartsAMediaSourcesRunWithTheUrlAndSaysHowToFollowIt() throws Exception {
        // Given the API accepts the run
        api.status = 202;
        api.answer = "{\"jobId\": \"media-sources-42\", \"triggerId\": \"api:1\"}";

        // When the playlist is added
        Run run = tally("sources", "add", PLAYLIST);

        // Then the run was posted with the url parameter and the key, and the job id printed
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests).singleElement().asString().startsWith("POST /api/pipelines/media-sources/runs user-key ");
        String line = api.requests.get(0);
        assertThat(JSON.readTree(line.substring(line.indexOf('{'))))
                .isEqualTo(JSON.readTree("{\"parameters\": {\"url\": \"" + PLAYLIST + "\"}}"));
        assertThat(run.out()).contains("media-sources-42").contains("tally jobs show media-sources-42");
    }

    @Test
    void addReportsTheApisRefusalOfABadUrl() {
        // Given the API refuses the parameter
        api.status = 400;
        api.answer = "{\"title\": \"Bad Request\", \"detail\": \"parameters.url: does not match https?://\\\\S+\"}";

        // When a non-URL is added
        Run run = tally("sources", "add", "not-a-url");

        // Then the command fails with the API's reason
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("400").contains("parameters.url");
    }

    @Test
    void listShowsEachSourceUrlWithStatusCountsAndWhatWasPicked() {
        // Given two media-sources jobs
        api.answer = """
                {"items": [
                  {"jobId": "media-sources-1", "status": "COMPLETED_WITH_FAILURES", "pipeline": "media-sources",
                   "parameters": {"url": "%s"}, "succeededCount": 13, "failedCount": 1, "skippedCount": 0,
                   "stages": [{"name": "pick", "status": "SUCCEEDED", "detail": "12 new of 12 listed"}]},
                  {"jobId": "media-sources-2", "status": "RUNNING", "pipeline": "media-sources",
                   "parameters": {"url": "https://www.youtube.com/@tallyfixture/videos"}, "succeededCount": 2,
                   "failedCount": 0, "skippedCount": 0, "stages": [{"name": "extract", "status": "SUCCEEDED"}]}
                ], "page": 0, "size": 50, "total": 2}
                """.formatted(PLAYLIST);

        // When the sources are listed
        Run run = tally("sources", "list");

        // Then the jobs of media-sources were asked for, one line each with url, status, counts and the pick
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests).singleElement().asString().startsWith("GET /api/jobs?pipeline=media-sources&page=0&size=50 ");
        assertThat(run.out()).contains(PLAYLIST).contains("COMPLETED_WITH_FAILURES").contains("13/1/0")
                .contains("12 new of 12 listed").contains("media-sources-2").contains("2 of 2 sources");
        assertThat(run.out().lines().filter(l -> l.contains("media-sources-2")).findFirst().orElseThrow()).endsWith("-");
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run tally(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--api-url", api.url(), "--api-key", "user-key"))
                .toArray(String[]::new);
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(all);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
