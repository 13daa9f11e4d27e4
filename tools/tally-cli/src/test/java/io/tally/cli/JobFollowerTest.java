package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class JobFollowerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void summarizesAResultWithTextSegmentsAsTimestampsAndALongListCut() throws Exception {
        // Given an ended job whose result has a text, five segments and a link
        JsonNode job = JSON.readTree("""
                {"jobId": "transcribe-1", "status": "COMPLETED", "succeededCount": 3, "failedCount": 0,
                 "skippedCount": 0, "expectedCount": 3,
                 "stages": [{"name": "transcribe", "status": "SUCCEEDED", "detail": "5 segments"}],
                 "result": {"text": "Hello world", "language": "en",
                   "segments": [{"startMs": 0, "endMs": 2500, "text": "one"},
                                {"startMs": 2500, "endMs": 65010, "text": "two"},
                                {"startMs": 65010, "endMs": 70000, "text": "three"}, {"startMs": 1, "endMs": 2, "text": "4"},
                                {"startMs": 3, "endMs": 4, "text": "5"}],
                   "files": {"subtitles": "/api/artifacts?ref=x"}}}
                """);

        // When it is summarized
        String printed = summarize(job);

        // Then the counts, the stage's detail, the text, the first three segments as clock times and the rest counted,
        // and the file as a link to open
        assertThat(printed).contains("3 succeeded, 0 failed, 0 skipped of 3 expected")
                .contains("transcribe   5 segments")
                .contains("text: Hello world")
                .contains("segments: 5 entries")
                .contains("[0:00.000-0:02.500] one")
                .contains("[0:02.500-1:05.010] two")
                .contains("... and 2 more")
                .contains("files:\n      subtitles: http://localhost:1/api/artifacts?ref=x")
                .doesNotContain("] 4");
    }

    @Test
    void cutsALongTextAndNamesItsLengthAndSaysWhereACachedResultCameFrom() throws Exception {
        // Given a job answered from the result cache with a long text
        String text = "word ".repeat(100).strip();
        JsonNode job = JSON.createObjectNode().put("jobId", "j2").put("status", "COMPLETED")
                .put("cachedFrom", "j1").set("result", JSON.createObjectNode().put("text", text));

        // When it is summarized
        String printed = summarize(job);

        // Then the text is cut at the limit with its length, and the earlier job is named
        assertThat(printed).contains("text: " + text.substring(0, JobFollower.TEXT_LIMIT) + "... (499 characters)")
                .contains("result reused from job j1 (no stage ran)");
    }

    @Test
    void printsNoResultSectionForAJobWithoutOne() throws Exception {
        JsonNode job = JSON.readTree("{\"jobId\": \"j3\", \"status\": \"FAILED\", \"reason\": \"stage collect failed\"}");

        assertThat(summarize(job)).contains("FAILED: stage collect failed").doesNotContain("result");
    }

    @Test
    void countsStagesForAJobWithoutAFanOut() throws Exception {
        JsonNode job = JSON.readTree("""
                {"jobId": "j4", "status": "COMPLETED", "expectedCount": 0, "stages": [
                  {"name": "download", "status": "SUCCEEDED"}, {"name": "transcribe", "status": "SUCCEEDED"},
                  {"name": "notify", "status": "SKIPPED"}]}""");

        assertThat(summarize(job)).contains("2 of 3 stages succeeded").doesNotContain("expected");
        assertThat(JobFollower.progress(job)).isEqualTo("[##########]  3/3 stages");
    }

    private static String summarize(JsonNode job) {
        StringWriter text = new StringWriter();
        new JobFollower(ApiOptions.of("http://localhost:1", null), new PrintWriter(text, true)).summarize(job);
        return text.toString();
    }
}
