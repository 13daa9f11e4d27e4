package io.tally.jobtracker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.common.artifacts.FileArtifactStore;
import io.tally.events.CachedResult;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.jobtracker.EngineProperties;
import io.tally.jobtracker.engine.EngineDriver.Request;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * A job's result and the result cache, driven through the tracker's whole topology: the result built from the stage
 * outputs when the job ends, carried inline or by reference over the inline limit, and a cached result reused by a
 * later run with the same key (no stage runs), then purged once its ttl has passed on the wall clock.
 */
class EngineResultsTopologyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** download → transcribe, with a result over both and a 24 h cache keyed by the url only. */
    private static final String TRANSCRIBE = """
            name: transcribe
            version: 1
            parameters:
              url: {type: string}
              language: {type: string, default: auto}
              note: {type: string, default: none}
            stages:
              - id: download
                task: download
                input: {url: "${params.url}"}
              - id: transcribe
                task: transcribe
                dependsOn: [download]
                input: {audio: "${stages.download.output.file}", language: "${params.language}"}
            result:
              text: ${stages.transcribe.output.text}
              segments: ${stages.transcribe.output.segments}
              audio: ${stages.download.output.file}
              words: ${stages.transcribe.output.words}
              source: "${params.url} (${params.language})"
            cache:
              ttl: 24h
              key: [url, language]
            """;

    private static final String TRANSCRIPT = """
            {"text": "hello world", "segments": [{"start": 0.0, "end": 1.5, "text": "hello"},
             {"start": 1.5, "end": 2.5, "text": "world"}]}""";

    @TempDir
    Path artifactsDir;

    private EngineDriver engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void buildsTheResultFromTheStageOutputsWhenTheJobCompletesAndLeavesAMissingFieldNull() throws Exception {
        // Given the transcription pipeline and a run asked for by alice
        engine = driver(DataSize.ofKilobytes(256));
        engine.publish(TRANSCRIBE);
        String job = engine.trigger("transcribe", "t1", Map.of("url", "https://v/1"), "alice");
        assertThat(engine.status(job).getTriggerId()).isEqualTo("t1");
        assertThat(engine.status(job).getRequestedBy()).isEqualTo("alice");

        // When both stages succeed
        runStages("file:/audio/1.wav", TRANSCRIPT);

        // Then the completion and the final status carry the same result, built from both stages' outputs
        JobCompleted completed = single(engine.completions(job));
        assertThat(completed.getState()).isEqualTo(JobState.COMPLETED);
        JsonNode result = JSON.readTree(completed.getResult());
        assertThat(result.path("text").asText()).isEqualTo("hello world");
        assertThat(result.path("segments")).hasSize(2);
        assertThat(result.path("segments").get(1).path("end").asDouble()).isEqualTo(2.5);
        assertThat(result.path("audio").asText()).isEqualTo("file:/audio/1.wav");
        assertThat(result.path("source").asText()).isEqualTo("https://v/1 (auto)");
        // And a field whose output is not there is null, not a failure
        assertThat(result.has("words")).isTrue();
        assertThat(result.get("words").isNull()).isTrue();
        assertThat(completed.getResultRef()).isNull();
        assertThat(engine.status(job).getResult()).isEqualTo(completed.getResult());
    }

    @Test
    void storesAResultOverTheInlineLimitInTheArtifactStoreAndCarriesItsReference() throws Exception {
        // Given an engine whose inline limit is 200 bytes, and a transcript far over it
        engine = driver(DataSize.ofBytes(200));
        engine.publish(TRANSCRIBE);
        String job = engine.trigger("transcribe", "big", Map.of("url", "https://v/2"));
        String longText = "la ".repeat(1000);

        // When the job completes
        runStages("file:/audio/2.wav", "{\"text\": \"" + longText + "\", \"segments\": []}");

        // Then the events carry a reference into the store instead of the result
        JobCompleted completed = single(engine.completions(job));
        assertThat(completed.getResult()).isNull();
        assertThat(completed.getResultRef()).isNotNull();
        FileArtifactStore store = new FileArtifactStore(artifactsDir);
        URI reference = URI.create(completed.getResultRef());
        assertThat(store.holds(reference)).isTrue();
        assertThat(Path.of(reference)).isEqualTo(artifactsDir.resolve("results/" + job + ".json").toAbsolutePath());
        // And the stored artifact is the whole result
        JsonNode stored = JSON.readTree(new String(store.read(reference), StandardCharsets.UTF_8));
        assertThat(stored.path("text").asText()).isEqualTo(longText);
        assertThat(engine.status(job).getResultRef()).isEqualTo(completed.getResultRef());
        assertThat(engine.status(job).getResult()).isNull();
    }

    @Test
    void aFailedJobHasNoResultAndIsNotCached() {
        // Given a run whose download fails for good
        engine = driver(DataSize.ofKilobytes(256));
        engine.publish(TRANSCRIBE);
        String job = engine.trigger("transcribe", "f1", Map.of("url", "https://v/3"));
        engine.fail(single(engine.dispatched("download")), "not-found", false);

        // Then it ends FAILED without a result, and nothing is written to the cache
        JobCompleted completed = single(engine.completions(job));
        assertThat(completed.getState()).isEqualTo(JobState.FAILED);
        assertThat(completed.getResult()).isNull();
        assertThat(completed.getResultRef()).isNull();
        assertThat(engine.cacheRecords()).isEmpty();

        // And a second run with the same key runs its stages
        engine.trigger("transcribe", "f2", Map.of("url", "https://v/3"));
        assertThat(engine.dispatched("download")).hasSize(1);
    }

    @Test
    void reusesACompletedJobsResultForTheSameKeyWithinTheTtlAndRunsNoStage() throws Exception {
        // Given a completed run of a url
        engine = driver(DataSize.ofKilobytes(256));
        engine.publish(TRANSCRIBE);
        String first = engine.trigger("transcribe", "c1", Map.of("url", "https://v/4"));
        runStages("file:/audio/4.wav", TRANSCRIPT);
        String firstResult = single(engine.completions(first)).getResult();
        assertThat(engine.cacheRecords()).singleElement().satisfies(record -> {
            assertThat(record.key()).startsWith("transcribe@1#");
            assertThat(record.value().getJobId()).isEqualTo(first);
            assertThat(record.value().getKeyParameters()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("url", "https://v/4", "language", "auto"));
        });

        // When the same url runs again an hour later, with the default language given explicitly and another note
        engine.advance(Duration.ofHours(1));
        String second = engine.trigger("transcribe", "c2", Map.of("url", "https://v/4", "language", "auto",
                "note", "again"));

        // Then no stage is dispatched and the job completes at once with the first job's result
        assertThat(engine.dispatched("download", "transcribe")).isEmpty();
        JobCompleted completed = single(engine.completions(second));
        assertThat(completed.getState()).isEqualTo(JobState.COMPLETED);
        assertThat(completed.getCachedFrom()).isEqualTo(first);
        assertThat(completed.getResult()).isEqualTo(firstResult);
        JobStatus status = engine.status(second);
        assertThat(status.getCachedFrom()).isEqualTo(first);
        assertThat(status.getStages()).extracting(StageStatus::getState).containsOnly(StageState.SKIPPED);
        assertThat(status.getStages()).extracting(StageStatus::getDetail)
                .containsOnly("cached: result of job " + first);
        // And a cached job is no new cache entry
        assertThat(engine.cacheRecords()).hasSize(1);

        // And a redelivered trigger of the cached job changes nothing
        engine.trigger("transcribe", "c2", Map.of("url", "https://v/4"));
        assertThat(engine.completions(second)).hasSize(1);

        // And another language is another key, so it runs
        engine.trigger("transcribe", "c3", Map.of("url", "https://v/4", "language", "pt"));
        assertThat(engine.dispatched("download")).hasSize(1);
    }

    @Test
    void purgesAnEntryOnceItsTtlHasPassedAndRunsTheStagesAgain() throws Exception {
        // Given a completed run whose result is cached for 24 h
        engine = driver(DataSize.ofKilobytes(256));
        engine.publish(TRANSCRIBE);
        String first = engine.trigger("transcribe", "p1", Map.of("url", "https://v/5"));
        runStages("file:/audio/5.wav", TRANSCRIPT);
        String key = engine.cacheRecords().get(0).key();

        // When the wall clock passes the ttl
        engine.advance(Duration.ofHours(24).plusSeconds(5));

        // Then the punctuator tombstones the entry
        List<TestRecord<String, CachedResult>> records = engine.cacheRecords();
        assertThat(records).hasSize(2);
        assertThat(records.get(1).key()).isEqualTo(key);
        assertThat(records.get(1).value()).isNull();

        // And the same url runs its stages again, and becomes the new entry
        String again = engine.trigger("transcribe", "p2", Map.of("url", "https://v/5"));
        runStages("file:/audio/5.wav", TRANSCRIPT);
        assertThat(single(engine.completions(again)).getCachedFrom()).isNull();
        assertThat(engine.cacheRecords()).last().satisfies(record -> {
            assertThat(record.key()).isEqualTo(key);
            assertThat(record.value().getJobId()).isEqualTo(again).isNotEqualTo(first);
        });
    }

    @Test
    void aPurgeForgetsAnEndedJobAndItsCacheEntryButRefusesARunningJob() throws Exception {
        // Given a completed, cached job and a running one
        engine = driver(DataSize.ofKilobytes(256));
        engine.publish(TRANSCRIBE);
        String done = engine.trigger("transcribe", "d1", Map.of("url", "https://v/6"));
        runStages("file:/audio/6.wav", TRANSCRIPT);
        String key = engine.cacheRecords().get(0).key();
        String running = engine.trigger("transcribe", "r1", Map.of("url", "https://v/7"));
        engine.dispatched("download");

        // When an admin purges both
        engine.purge(done);
        engine.purge(running);

        // Then the ended job's cache entry is tombstoned, and a run of its key runs its stages again
        assertThat(engine.cacheRecords()).last().satisfies(record -> {
            assertThat(record.key()).isEqualTo(key);
            assertThat(record.value()).isNull();
        });
        engine.trigger("transcribe", "d2", Map.of("url", "https://v/6"));
        assertThat(engine.dispatched("download")).hasSize(1);
        // And the ended job's state is gone: a redelivered trigger of it starts it as a new job
        engine.trigger("transcribe", "d1", Map.of("url", "https://v/6"));
        assertThat(engine.dispatched("download")).hasSize(1);
        // And the running job's purge is refused to the dead-letter topic, the job running on
        assertThat(engine.deadLetters()).singleElement().satisfies(record -> assertThat(record.key()).isEqualTo(running));
        assertThat(engine.status(running).getState()).isEqualTo(JobState.RUNNING);
    }

    private EngineDriver driver(DataSize inlineLimit) {
        return new EngineDriver(new EngineProperties(inlineLimit), new FileArtifactStore(artifactsDir));
    }

    /** Answers the download with {@code file}, then the transcription with {@code transcript}. */
    private void runStages(String file, String transcript) {
        engine.succeed(single(engine.dispatched("download")), "{\"file\": \"" + file + "\"}");
        engine.succeed(single(engine.dispatched("transcribe")), transcript);
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }
}
