package io.tally.jobtracker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.Stages;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.jobtracker.engine.EngineDriver.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's rules, driven through the tracker's whole topology with {@code TopologyTestDriver}: definitions on
 * the definitions topic, triggers, task requests read back from the task topics, results, cancels and timers.
 */
class PipelineEngineTopologyTest {

    /** a → (b, c) → d: two parallel branches and a join. */
    private static final String DIAMOND = """
            name: diamond
            version: 1
            stages:
              - id: a
                task: step
              - id: b
                task: step
                dependsOn: [a]
              - id: c
                task: step
                dependsOn: [a]
              - id: d
                task: step
                dependsOn: [b, c]
            """;

    /** pick → search (one task per track) → playlist over the search outputs, in pick order. */
    private static final String FAN_OUT = """
            name: charts
            version: 1
            parameters:
              chart: {type: string, default: top-100}
            stages:
              - id: pick
                task: pick
                input: {chart: "${params.chart}"}
              - id: search
                task: search
                dependsOn: [pick]
                forEach: {items: "${stages.pick.output.tracks}", itemKey: "${track.key}", as: track}
                input: {title: "${track.title}"}
              - id: playlist
                task: playlist
                dependsOn: [search]
                input: {found: "${stages.search.outputs}"}
            """;

    private final EngineDriver engine = new EngineDriver();

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void startsAStageOnlyAfterAllItsDependenciesEndedAndJoinsParallelBranches() {
        // Given the diamond pipeline
        engine.publish(DIAMOND);

        // When a run is triggered, only the first stage is dispatched
        String job = engine.trigger("diamond", "t1", Map.of());
        Request a = single(engine.dispatched("step"));
        assertThat(a.stage()).isEqualTo("a");

        // And when a ends, both branches start, but not the join
        engine.succeed(a, "{}");
        List<Request> branches = engine.dispatched("step");
        assertThat(branches).extracting(Request::stage).containsExactlyInAnyOrder("b", "c");

        // And when one branch ends, the join still waits for the other
        engine.succeed(branches.get(0), "{}");
        assertThat(engine.dispatched("step")).isEmpty();
        assertThat(stage(engine.status(job), "d").getState()).isEqualTo(StageState.PENDING);

        // Then once both have ended the join runs, and its end completes the job once
        engine.succeed(branches.get(1), "{}");
        Request d = single(engine.dispatched("step"));
        assertThat(d.stage()).isEqualTo("d");
        engine.succeed(d, "{}");
        assertThat(engine.completions(job)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED);
        assertThat(engine.status(job).getStages()).extracting(StageStatus::getState).containsOnly(StageState.SUCCEEDED);
    }

    @Test
    void countsEachFanOutElementOnceWhateverTheOrderAndRedeliveryOfResults() {
        // Given a run whose pick stage found three tracks, one of them listed twice
        engine.publish(FAN_OUT);
        String job = engine.trigger("charts", "t1", Map.of());
        Request pick = single(engine.dispatched("pick"));
        assertThat(pick.input().path("chart").asText()).isEqualTo("top-100");
        engine.succeed(pick, """
                {"tracks": [{"key": "x", "title": "X"}, {"key": "y", "title": "Y"}, {"key": "x", "title": "X again"},
                            {"key": "z", "title": "Z"}]}""");
        List<Request> searches = engine.dispatched("search");
        assertThat(searches).extracting(Request::item).containsExactly("x", "y", "z");
        assertThat(searches.get(0).input().path("title").asText()).isEqualTo("X");
        assertThat(searches.get(0).headers()).containsEntry("ce_subject", job + "/search/x")
                .containsEntry("ce_specversion", "1.0").containsEntry("ce_type", "io.tally.task.requested");

        // When the results arrive out of order, one of them twice
        engine.succeed(searches.get(2), "{\"video\": \"vz\"}");
        engine.succeed(searches.get(0), "{\"video\": \"vx\"}");
        engine.succeed(searches.get(0), "{\"video\": \"vx\"}");
        assertThat(engine.dispatched("playlist")).isEmpty();
        engine.succeed(searches.get(1), "{\"video\": \"vy\"}");

        // Then each element counted once, and the next stage got the outputs in the list's order
        JobStatus status = engine.status(job);
        assertThat(status.getExpectedCount()).isEqualTo(3);
        assertThat(status.getSucceededCount()).isEqualTo(3);
        assertThat(status.getDuplicateCount()).isEqualTo(1);
        assertThat(stage(status, "search").getDone()).isEqualTo(3);
        Request playlist = single(engine.dispatched("playlist"));
        assertThat(playlist.input().path("found").findValuesAsText("video")).containsExactly("vx", "vy", "vz");
        engine.succeed(playlist, null);
        assertThat(engine.completions(job)).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.COMPLETED);
            assertThat(done.getSucceededCount()).isEqualTo(3);
        });
    }

    @Test
    void keepsEachRunsParametersWithTheDefinitionsDefaultsInTheJobStatusForAReRun() {
        // Given a pipeline with a defaulted parameter
        engine.publish(FAN_OUT);

        // When one run names the parameter and another leaves it out
        String named = engine.trigger("charts", "t1", Map.of("chart", "house/5"));
        String defaulted = engine.trigger("charts", "t2", Map.of());

        // Then each job's status carries the parameters it runs with, the default filled in
        assertThat(engine.status(named).getParameters()).containsExactlyEntriesOf(Map.of("chart", "house/5"));
        assertThat(engine.status(defaulted).getParameters()).containsExactlyEntriesOf(Map.of("chart", "top-100"));
    }

    @Test
    void anEmptyFanOutEndsItsStageAtOnceAndTheNextStageRuns() {
        // Given a run whose pick stage found nothing new
        engine.publish(FAN_OUT);
        String job = engine.trigger("charts", "t1", Map.of());
        engine.succeed(single(engine.dispatched("pick")), "{\"tracks\": []}");

        // Then no search is dispatched, the search stage succeeded with nothing to do, and the playlist stage runs
        assertThat(engine.dispatched("search")).isEmpty();
        Request playlist = single(engine.dispatched("playlist"));
        assertThat(playlist.input().path("found").size()).isZero();
        assertThat(stage(engine.status(job), "search").getState()).isEqualTo(StageState.SUCCEEDED);
    }

    @Test
    void retriesAFailedAttemptAfterItsBackOffAndCompletesWhenTheRetrySucceeds() {
        // Given a stage with three attempts, ten seconds apart
        engine.publish("""
                name: flaky
                version: 1
                stages:
                  - id: fetch
                    task: fetch
                    retry: {attempts: 3, initialDelay: 10s, multiplier: 2, maxDelay: 1m}
                """);
        String job = engine.trigger("flaky", "t1", Map.of());
        Request first = single(engine.dispatched("fetch"));

        // When the first attempt fails with a retryable error
        engine.fail(first, "unavailable", true);

        // Then the retry waits for its back-off, and carries the next attempt number and a new task id
        engine.advance(Duration.ofSeconds(5));
        assertThat(engine.dispatched("fetch")).isEmpty();
        engine.advance(Duration.ofSeconds(6));
        Request second = single(engine.dispatched("fetch"));
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.id()).isEqualTo(job + "/fetch#2").isNotEqualTo(first.id());

        // And when the retry succeeds, the job completes once
        engine.succeed(second, "{}");
        assertThat(engine.completions(job)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void anErrorTheStageDoesNotRetryFailsTheStageAtOnce() {
        // Given a stage with three attempts that does not retry "not-found"
        engine.publish("""
                name: lookup
                version: 1
                stages:
                  - id: find
                    task: find
                    retry: {attempts: 3, initialDelay: 1s, notRetried: [not-found]}
                """);
        String job = engine.trigger("lookup", "t1", Map.of());

        // When the first attempt fails with that code
        engine.fail(single(engine.dispatched("find")), "not-found", true);

        // Then the job fails without another attempt
        engine.advance(Duration.ofSeconds(5));
        assertThat(engine.dispatched("find")).isEmpty();
        assertThat(engine.completions(job)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.FAILED);
    }

    @Test
    void aFailedStageThatFailsTheJobEndsItFailedAtOnceNamingTheStageAndTheError() {
        // Given two parallel stages, one of which fails the job when it fails
        engine.publish("""
                name: parallel
                version: 1
                stages:
                  - id: slow
                    task: slow
                  - id: broken
                    task: broken
                  - id: after
                    task: after
                    dependsOn: [slow, broken]
                """);
        String job = engine.trigger("parallel", "t1", Map.of());
        Request slow = single(engine.dispatched("slow"));

        // When the failing stage fails for good
        engine.fail(single(engine.dispatched("broken")), "disk-full", false);

        // Then the job ends FAILED at once, naming the stage and the error, and the other branch is told to stop
        assertThat(engine.completions(job)).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.FAILED);
            assertThat(done.getReason()).contains("broken").contains("disk-full");
        });
        assertThat(engine.cancellations()).singleElement().satisfies(cancelled ->
                assertThat(cancelled.getJobId()).isEqualTo(job));
        JobStatus status = engine.status(job);
        assertThat(stage(status, "broken").getState()).isEqualTo(StageState.FAILED);
        assertThat(stage(status, "after").getState()).isEqualTo(StageState.SKIPPED);

        // And the other branch's late result neither dispatches nor completes anything
        engine.succeed(slow, "{}");
        assertThat(engine.dispatched("after")).isEmpty();
        assertThat(engine.completions(job)).hasSize(1);
        assertThat(engine.status(job).getLateCount()).isEqualTo(1);
    }

    @Test
    void aFailedStageThatContinuesLetsItsDependentsRunAndTheJobEndsWithFailures() {
        // Given an optional stage before the last one
        engine.publish("""
                name: optional
                version: 1
                stages:
                  - id: enrich
                    task: enrich
                    onFailure: continue
                  - id: publish
                    task: publish
                    dependsOn: [enrich]
                """);
        String job = engine.trigger("optional", "t1", Map.of());

        // When the optional stage fails
        engine.fail(single(engine.dispatched("enrich")), "quota", false);

        // Then its dependent still runs, and the job completes with failures once it has
        engine.succeed(single(engine.dispatched("publish")), "{}");
        assertThat(engine.completions(job)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
    }

    @Test
    void anAttemptThatDoesNotAnswerWithinItsTimeoutFails() {
        // Given a stage whose attempts may take 30 s, with one retry
        engine.publish("""
                name: timed
                version: 1
                stages:
                  - id: work
                    task: work
                    timeout: 30s
                    retry: {attempts: 2, initialDelay: 1s}
                """);
        String job = engine.trigger("timed", "t1", Map.of());
        Request first = single(engine.dispatched("work"));

        // When the first attempt does not answer in time, it is retried
        engine.advance(Duration.ofSeconds(31));
        engine.advance(Duration.ofSeconds(2));
        Request second = single(engine.dispatched("work"));
        assertThat(second.attempt()).isEqualTo(2);

        // And when the second does not answer either, the job fails with the timeout as its reason
        engine.advance(Duration.ofSeconds(31));
        assertThat(engine.completions(job)).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.FAILED);
            assertThat(done.getReason()).contains("timeout");
        });
        // And the first attempt's answer, arriving now, changes nothing
        engine.succeed(first, "{}");
        assertThat(engine.completions(job)).hasSize(1);
    }

    @Test
    void aJobStillRunningAtItsDeadlineTimesOutAndItsWorkersAreTold() {
        // Given a pipeline with a five-minute deadline and a task that never answers
        engine.publish("""
                name: bounded
                version: 1
                deadline: 5m
                stages:
                  - id: work
                    task: work
                    timeout: 1h
                """);
        String job = engine.trigger("bounded", "t1", Map.of());
        assertThat(engine.dispatched("work")).hasSize(1);

        // When the deadline passes
        engine.advance(Duration.ofMinutes(6));

        // Then the job ended TIMED_OUT once, its running stage is closed, and workers see the cancellation
        assertThat(engine.completions(job)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.TIMED_OUT);
        assertThat(stage(engine.status(job), "work").getState()).isEqualTo(StageState.FAILED);
        assertThat(engine.cancellations()).extracting(cancelled -> cancelled.getJobId()).containsExactly(job);
    }

    @Test
    void aCancelledJobDispatchesNothingMoreAndEndsOnce() {
        // Given a run in its first stage
        engine.publish(DIAMOND);
        String job = engine.trigger("diamond", "t1", Map.of());
        Request a = single(engine.dispatched("step"));

        // When it is cancelled, twice
        engine.cancel(job, "wrong chart");
        engine.cancel(job, "wrong chart");

        // Then it ended CANCELLED once with the reason, workers are told, and the running task's answer starts nothing
        assertThat(engine.completions(job)).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.CANCELLED);
            assertThat(done.getReason()).contains("wrong chart");
        });
        assertThat(engine.cancellations()).hasSize(1);
        engine.succeed(a, "{}");
        assertThat(engine.dispatched("step")).isEmpty();
        assertThat(engine.completions(job)).hasSize(1);
    }

    @Test
    void aRunningJobKeepsTheVersionItStartedWithWhileNewRunsTakeTheNewOne() {
        // Given a job started on version 1 of a one-stage pipeline
        engine.publish("""
                name: evolving
                version: 1
                stages:
                  - id: first
                    task: step
                """);
        String oldJob = engine.trigger("evolving", "t1", Map.of());
        Request oldFirst = single(engine.dispatched("step"));

        // When version 2 adds a second stage
        engine.publish("""
                name: evolving
                version: 2
                stages:
                  - id: first
                    task: step
                  - id: second
                    task: step
                    dependsOn: [first]
                """);
        String newJob = engine.trigger("evolving", "t2", Map.of());
        Request newFirst = single(engine.dispatched("step"));

        // Then the old job ends after its one stage, as version 1 says
        engine.succeed(oldFirst, "{}");
        assertThat(engine.dispatched("step")).isEmpty();
        assertThat(engine.completions(oldJob)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED);
        assertThat(engine.status(oldJob).getPipelineVersion()).isEqualTo(1);
        // And the new job runs version 2's second stage
        engine.succeed(newFirst, "{}");
        assertThat(single(engine.dispatched("step")).stage()).isEqualTo("second");
        assertThat(engine.status(newJob).getPipelineVersion()).isEqualTo(2);
        assertThat(engine.completions(newJob)).isEmpty();
    }

    @Test
    void aRepeatedTriggerStartsNoSecondRun() {
        // Given a started run
        engine.publish(DIAMOND);
        String job = engine.trigger("diamond", "t1", Map.of());
        assertThat(engine.dispatched("step")).hasSize(1);

        // When the same trigger is delivered again
        engine.trigger("diamond", "t1", Map.of());

        // Then nothing is dispatched again, and the repeat is counted as a duplicate
        assertThat(engine.dispatched("step")).isEmpty();
        assertThat(engine.status(job).getDuplicateCount()).isEqualTo(1);
    }

    @Test
    void aFanOutElementThatSucceedsAfterTheJobEndedCorrectsTheCountsWithoutASecondCompletion() {
        // Given a run whose one search failed, so the job completed with failures
        engine.publish(FAN_OUT);
        String job = engine.trigger("charts", "t1", Map.of());
        Request failed = endWithOneFailedSearch();
        assertThat(engine.completions(job)).singleElement()
                .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED_WITH_FAILURES);

        // When the failed search is redriven and succeeds
        engine.succeed(failed, "{\"video\": \"vy\"}");

        // Then the counts are corrected and the job is COMPLETED, still with one completion
        JobStatus status = engine.status(job);
        assertThat(status.getState()).isEqualTo(JobState.COMPLETED);
        assertThat(status.getSucceededCount()).isEqualTo(2);
        assertThat(status.getFailedCount()).isZero();
        assertThat(status.getCorrectionCount()).isEqualTo(1);
        assertThat(engine.completions(job)).hasSize(1);
    }

    @Test
    void aReplayOfTheResultsAfterARedriveChangesNoCountOfTheCorrectedJob() {
        // Given a job whose failed search was redriven and corrected it
        engine.publish(FAN_OUT);
        String job = engine.trigger("charts", "t1", Map.of());
        Request failed = endWithOneFailedSearch();
        engine.succeed(failed, "{\"video\": \"vy\"}");
        JobStatus corrected = engine.status(job);

        // When the results topic is replayed: the same failure, then the same success, of the same attempt
        engine.fail(failed, "not-found", false);
        engine.succeed(failed, "{\"video\": \"vy\"}");

        // Then both are duplicates: a succeeded element stays succeeded, and no count or correction changes
        JobStatus replayed = engine.status(job);
        assertThat(replayed.getState()).isEqualTo(JobState.COMPLETED);
        assertThat(replayed.getSucceededCount()).isEqualTo(2);
        assertThat(replayed.getFailedCount()).isZero();
        assertThat(replayed.getCorrectionCount()).isEqualTo(corrected.getCorrectionCount()).isEqualTo(1);
        assertThat(replayed.getDuplicateCount()).isEqualTo(corrected.getDuplicateCount() + 2);
        assertThat(engine.completions(job)).hasSize(1);
    }

    @Test
    void showsAStagesDeclaredDetailBuiltFromItsOwnOutputOnceItSucceeded() {
        // Given a stage whose detail is its output's link
        engine.publish("""
                name: detailed
                version: 1
                stages:
                  - id: make
                    task: make
                    input: {what: playlist}
                    detail: "made ${stages.make.output.url}"
                """);
        String job = engine.trigger("detailed", "t1", Map.of());

        // When its task succeeds with a link
        engine.succeed(single(engine.dispatched("make")), "{\"url\": \"https://example.test/p/1\"}");

        // Then the stage's status shows the detail
        assertThat(stage(engine.status(job), "make").getDetail()).isEqualTo("made https://example.test/p/1");
    }

    @Test
    void deadLettersAStageReportOrAnItemFromOutsideForAnEngineJobAndKeepsItsStages() {
        // Given a running engine job
        engine.publish(FAN_OUT);
        String job = engine.trigger("charts", "t1", Map.of());
        JobStatus before = engine.status(job);

        // When a service reports its playlist stage FAILED, and another sends an item of the job
        engine.stages.pipeInput(job, Stages.report(job, "playlist", StageState.FAILED, 0, null, "not mine"));
        engine.items.pipeInput(job, ItemProcessed.newBuilder().setJobId(job).setItemId("x").setAttempt(1)
                .setOutcome(ItemOutcome.SUCCEEDED).setProcessedAt(Instant.EPOCH).build());

        // Then both are dead-lettered with the reason, and the job's stages and counts are the engine's
        assertThat(engine.deadLetters()).extracting(record -> DeadLetterHeaders.reason(record.headers()))
                .satisfiesExactly(
                        reason -> assertThat(reason).contains("StageReported for stage 'playlist'", "pipeline engine runs"),
                        reason -> assertThat(reason).contains("ItemProcessed", "pipeline engine runs"));
        JobStatus after = engine.status(job);
        assertThat(stage(after, "playlist").getState()).isEqualTo(StageState.PENDING);
        assertThat(after.getSucceededCount()).isEqualTo(before.getSucceededCount());
    }

    @Test
    void aTaskTypeWithoutAnInputSchemaFailsItsStageWithAClearError() {
        // Given a pipeline whose task type no worker has registered
        engine.publish("""
                name: orphan
                version: 1
                stages:
                  - id: lonely
                    task: unregistered
                """);

        // When it runs
        String job = engine.trigger("orphan", "t1", Map.of());

        // Then the job fails at once and says why
        assertThat(engine.completions(job)).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.FAILED);
            assertThat(done.getReason()).contains("no input schema");
        });
    }

    @Test
    void aTriggerOfAPipelineWithoutADefinitionIsLeftToTheServicesThatRunIt() {
        // Given no definition of the pipeline
        // When it is triggered
        String job = engine.trigger("beatport-chart", "t1", Map.of());

        // Then the engine creates no job and sends nothing to the dead-letter topic
        assertThat(engine.status(job)).isNull();
        assertThat(engine.deadLetters()).isEmpty();
    }

    @Test
    void aResultForAJobTheEngineNeverRanGoesToTheDeadLetterTopicAndTheStreamGoesOn() {
        // Given a running job
        engine.publish(DIAMOND);
        String job = engine.trigger("diamond", "t1", Map.of());
        Request a = single(engine.dispatched("step"));

        // When a result names an unknown job, and then the real result arrives
        engine.answer(new Request("nobody/a#1", "nobody", "a", null, 1, "step", null, Map.of()),
                ItemOutcome.SUCCEEDED, null, null);
        engine.succeed(a, "{}");

        // Then the bad result is dead-lettered with its reason, and the job went on
        assertThat(engine.deadLetters()).singleElement().satisfies(record ->
                assertThat(new String(record.headers().lastHeader("__streams.errors.message").value()))
                        .contains("nobody"));
        assertThat(engine.dispatched("step")).hasSize(2);
    }

    private static Request single(List<Request> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static StageStatus stage(JobStatus status, String id) {
        assertThat(status).as("status").isNotNull();
        return status.getStages().stream().filter(stage -> stage.getName().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + id + " in " + status.getStages()));
    }

    /**
     * Runs the triggered fan-out pipeline to its end with one of its two searches failed (not retried); returns the
     * failed search's request.
     */
    private Request endWithOneFailedSearch() {
        engine.succeed(single(engine.dispatched("pick")), "{\"tracks\": [{\"key\": \"x\", \"title\": \"X\"}, {\"key\": \"y\", \"title\": \"Y\"}]}");
        List<Request> searches = engine.dispatched("search");
        engine.succeed(searches.get(0), "{\"video\": \"vx\"}");
        engine.fail(searches.get(1), "not-found", false);
        engine.succeed(single(engine.dispatched("playlist")), null);
        return searches.get(1);
    }
}
