package io.tally.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.celebrity.CelebrityWorkersApplication;
import io.tally.celebrity.enrich.Enrichment;
import io.tally.celebrity.quality.CheckCelebrityQualityHandler;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.events.TaskResult;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import io.tally.faults.ExactlyOnceChecker.Verdict;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.ServiceProcess;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 001's pipeline, {@code pipelines/celebrity-weekly.yml}, under faults: the engine (job-tracker) and the celebrity
 * workers ({@link CelebrityWorkersApplication}) as separate JVMs, {@code -Dtally.faults.celebrity-runs} runs one after
 * the other (2 in CI). TMDB, Wikipedia and social are the offline fixtures; news is the real NewsAPI adapter against a
 * local WireMock that answers each celebrity after {@link #NEWS_DELAY_MS} ms, so its task runs for seconds. In each run
 * the workers JVM is SIGKILLed once the news task made 10 of its 100 calls (the other sources writing or done,
 * post-processing under way) and started again with the same instance id, while
 * {@link CelebrityInjector} sends task requests (same {@code ce_id}) and entries twice. Every run must end once,
 * COMPLETED, its quality check must have seen 400 entries, and the compacted topics must then hold 400 entries of that
 * run, each with one profile of its latest raw value.
 *
 * <p>The entries are keyed per celebrity and source, not per job: each run rewrites the same 400 keys. The offline
 * fixtures write the same raw values every run (the post-processor skips them as already enriched); the news API
 * answers another figure each run, so 100 entries per run are new raw values whose profiles must follow them.
 * "Compacted" is judged as compaction keeps it, the latest record per key; "doubled" is a profile key without an
 * entry, a key whose profiles of its latest raw value disagree, a second completion, or a task result the engine
 * counted twice. Known gap: the post-processor's consumer has no static membership, so this test lowers the workers'
 * consumer session timeout to 10 s; with the 45 s default a SIGKILL holds the post-processing back for up to 45 s (the
 * quality check's retries cover that too, only slower).
 */
@Timeout(900)
class CelebrityWeeklyFaultTest {

    private static final String PIPELINE = "celebrity-weekly";
    private static final int RUNS = Integer.getInteger("tally.faults.celebrity-runs", 2);
    private static final int ENTRIES = 400;
    private static final List<String> SOURCES = List.of("tmdb", "wikipedia", "news", "social");
    private static final Path PIPELINES = Path.of(System.getProperty("tally.local.pipelines", "../../pipelines"))
            .toAbsolutePath().normalize();
    private static final String POST_PROCESSOR_GROUP = "tally-celebrity-post-processor";
    private static final Duration SETTLE = Duration.ofMinutes(4);
    /** Per news request: 100 celebrities take the news task 3 s, long enough for the kill to land inside it. */
    private static final int NEWS_DELAY_MS = 30;

    @TempDir
    static Path dir;

    static FaultStack stack;
    static ServiceProcess engine;
    static ServiceProcess workers;
    static WireMockServer newsApi;

    @BeforeAll
    static void startEngineAndWorkers() {
        newsApi = new WireMockServer(wireMockConfig().dynamicPort());
        newsApi.start();
        stack = FaultStack.start(dir);
        engine = stack.service("engine", JobTrackerApplication.class, JobTrackerApplication.CONFIG_NAME,
                "--tally.pipelines.dir=" + PIPELINES, "--tally.tracker.status-interval=200ms");
        workers = stack.service("celebrity-workers", CelebrityWorkersApplication.class,
                CelebrityWorkersApplication.CONFIG_NAME, "--tally.worker.create-topics=true",
                "--tally.celebrities.news.adapter=http", "--tally.celebrities.news.base-url=" + newsApi.baseUrl(),
                "--tally.celebrities.news.api-key=fault-news-key-0123456789",
                "--spring.kafka.consumer.properties.session.timeout.ms=10000");
        // The engine first: it publishes the pipelines and creates the task topics.
        FaultStack.startAll(List.of(engine));
        FaultStack.startAll(List.of(workers));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (newsApi != null) {
            newsApi.stop();
        }
    }

    @Test
    void everyRunEndsOnceWithFourHundredEntriesEachEnrichedOnceWhenTheWorkersAreKilledAndDuplicatesInjected()
            throws Exception {
        String prefix = "celebrity-fault-";
        List<JobExpectation> expected = new ArrayList<>();
        List<String> kills = new ArrayList<>();
        long lost = 0;
        long doubled = 0;
        long requestsCopied = 0;
        long entriesCopied = 0;
        Instant started = Instant.now();
        try (CelebrityInjector injector = new CelebrityInjector(stack)) {
            for (int run = 1; run <= RUNS; run++) {
                // Given a run of celebrity-weekly, with requests and entries sent twice as they pass
                // (each run's news figure differs, so its 100 news entries are new raw values to enrich, not skips)
                newsApi.resetAll();
                newsApi.stubFor(get(urlPathEqualTo("/v2/everything")).willReturn(okJson("""
                        {"status": "ok", "totalResults": %d, "articles": [{"title": "Star wins award", "description": "A brilliant night"}]}
                        """.formatted(40 + run)).withFixedDelay(NEWS_DELAY_MS)));
                String jobId = trigger(prefix + UUID.randomUUID());
                expected.add(new JobExpectation(jobId, PIPELINE, JobState.COMPLETED, 0, 0, 0, 0, false, false));

                // When the workers JVM is SIGKILLed while the news task is mid-way (10 of its 100 calls made), and
                // started again
                await("the news task of " + jobId + " is running").atMost(FaultStack.STARTUP)
                        .pollInterval(Duration.ofMillis(5)).until(() -> newsRequests() >= 10);
                workers.kill();
                long entriesAtKill = injector.entriesSeen(jobId);
                long newsAtKill = newsRequests();
                long profilesAfterKill = injector.profilesSeen();
                Instant killed = Instant.now();
                workers.start().awaitReady(FaultStack.STARTUP);
                Duration back = Duration.between(killed, Instant.now());

                // Then the job ends exactly once, COMPLETED, and no task result was counted twice
                Verdict verdict = stack.checker(null, null).await(expected, id -> id.startsWith(prefix), SETTLE);
                Duration ended = Duration.between(killed, Instant.now());
                if (!verdict.ok()) {
                    FaultRun.log("celebrity-weekly run " + run + ": " + verdict.violations() + ", logs " + stack.logs);
                }
                verdict.assertExactlyOnce();
                JobStatus status = verdict.observations().latestStatus().get(jobId);
                assertEachStageCountedOnce(status);
                // And the news task ran again after the restart, whole (its killed attempt wrote nothing)
                assertThat(newsRequests()).as("news requests of the run").isGreaterThanOrEqualTo(newsAtKill + 100);
                // And the quality check saw the run's 400 entries, all enriched
                assertThat(stage(status, "quality").getDetail()).as("quality of %s", jobId)
                        .startsWith("PASSED: 400 of 400 entries, 400 enriched");
                List<CheckCelebrityQualityOutput> checks = qualityOutputs(jobId);
                assertThat(checks).as("succeeded quality checks of %s (the copy answers too)", jobId).isNotEmpty()
                        .allSatisfy(check -> {
                            assertThat(check.getEntries()).isEqualTo(ENTRIES);
                            assertThat(check.getEnriched()).isEqualTo(ENTRIES);
                            assertThat(check.getVerdict()).isEqualTo("PASSED");
                        });
                // And every injected request was answered again and counted as a duplicate, not as work
                long copies = injector.requestsCopied(jobId);
                assertThat(copies).as("requests sent twice for %s", jobId).isGreaterThanOrEqualTo(3);
                await("the duplicates of " + jobId + " are counted").atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                        assertThat(stack.checker(null, null).observe().latestStatus().get(jobId).getDuplicateCount())
                                .isGreaterThanOrEqualTo(copies));
                awaitDrained();

                // And the compacted topics hold the run's 400 entries, each with one profile of its latest raw value
                Table table = table(jobId);
                FaultRun.log("celebrity-weekly run " + run + ": killed at " + entriesAtKill + " entries and "
                        + newsAtKill + "/100 news requests, " + (injector.profilesSeen() - profilesAfterKill)
                        + " profiles written after the kill, back in "
                        + FaultRun.seconds(back) + ", ended " + FaultRun.seconds(ended) + " after the kill; requests "
                        + "copied " + copies + ", entries copied " + injector.entriesCopied(jobId) + ", duplicates "
                        + "counted " + stack.checker(null, null).observe().latestStatus().get(jobId).getDuplicateCount()
                        + "; " + table);
                assertThat(table.entriesOfRun()).as("entries of %s (nothing lost)", jobId).isEqualTo(ENTRIES);
                assertThat(table.keys()).as("entry keys").isEqualTo(ENTRIES);
                assertThat(table.profiled()).as("keys whose latest profile enriches the latest entry").isEqualTo(ENTRIES);
                assertThat(table.doubled()).as("profiles without an entry, or disagreeing for one raw value").isZero();
                lost += verdict.missing() + (ENTRIES - table.profiled());
                doubled += verdict.duplicates() + table.doubled();
                requestsCopied += copies;
                entriesCopied += injector.entriesCopied(jobId);
                kills.add("kill at " + entriesAtKill + " entries and " + newsAtKill + "/100 news calls, back "
                        + FaultRun.seconds(back) + ", ended "
                        + FaultRun.seconds(ended));
            }
        }
        FaultRun.figure("Worker crash + duplicates (celebrity-weekly, seed 001)", "engine and celebrity-workers JVMs; "
                        + "news API 30 ms per call; SIGKILL the workers at the news task's 10th call, restart; " + requestsCopied
                        + " task requests and " + entriesCopied + " entries sent twice", RUNS, RUNS, lost, doubled,
                "per run: " + String.join("; ", kills) + "; " + RUNS + " runs in "
                        + FaultRun.seconds(Duration.between(started, Instant.now())));
    }

    private static long newsRequests() {
        return newsApi.countRequestsMatching(getRequestedFor(urlPathEqualTo("/v2/everything")).build()).getCount();
    }

    /** Triggers a run as the API does (keyed by trigger id, the pipeline's default limit of 100). */
    private static String trigger(String jobId) throws Exception {
        String triggerId = "manual:" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = stack.producer()) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline(PIPELINE).setTriggeredAt(Instant.now())
                    .setParameters(Map.of()).build())).get();
        }
        return jobId;
    }

    /** Each stage succeeded once: one task, done, and each source's detail says it wrote its 100 entries once. */
    private static void assertEachStageCountedOnce(JobStatus status) {
        for (String source : SOURCES) {
            assertThat(stage(status, source).getState()).as(source).isEqualTo(StageState.SUCCEEDED);
            assertThat(stage(status, source).getDone()).as("%s tasks counted", source).isEqualTo(1);
            assertThat(stage(status, source).getDetail()).as(source).isEqualTo(source.equals("news")
                    ? "100 entries (newsapi-v2)" : "100 entries (offline-fixture)");
        }
        assertThat(stage(status, "quality").getState()).isEqualTo(StageState.SUCCEEDED);
        assertThat(stage(status, "quality").getDone()).as("quality tasks counted").isEqualTo(1);
    }

    private static StageStatus stage(JobStatus status, String name) {
        return status.getStages().stream().filter(stage -> stage.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name + " in " + status));
    }

    private static List<CheckCelebrityQualityOutput> qualityOutputs(String jobId) {
        Deserializer<CheckCelebrityQualityOutput> outputs = stack.serdes.deserializer(CheckCelebrityQualityOutput.class);
        return stack.checker(null, null).values(Topics.TASK_RESULTS.name(), TaskResult.class).stream()
                .filter(result -> result.getJobId().equals(jobId))
                .filter(result -> result.getTaskType().equals(CheckCelebrityQualityHandler.TASK_TYPE))
                .filter(result -> result.getOutcome() == ItemOutcome.SUCCEEDED)
                .map(result -> {
                    byte[] framed = new byte[result.getOutput().remaining()];
                    result.getOutput().duplicate().get(framed);
                    return outputs.deserialize(TaskHeaders.outputSubject(CheckCelebrityQualityHandler.TASK_TYPE), framed);
                }).toList();
    }

    /**
     * Waits until the workers committed everything: the duplicated requests ran (so no copy of this run can rewrite
     * an entry during the next one) and the post-processor read every entry, the copies too.
     */
    private static void awaitDrained() {
        List<String> groups = new ArrayList<>(SOURCES.stream().map(s -> "tally-worker-collect-" + s).toList());
        groups.add("tally-worker-" + CheckCelebrityQualityHandler.TASK_TYPE);
        try (Admin admin = stack.admin()) {
            await("the workers drained their inputs").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        for (String group : groups) {
                            String type = group.substring("tally-worker-".length());
                            assertThat(GroupLag.unprocessed(stack.bootstrapServers(), admin, group,
                                    List.of(TaskHeaders.requestTopic(type)))).as(group).isZero();
                        }
                        assertThat(GroupLag.unprocessed(stack.bootstrapServers(), admin, POST_PROCESSOR_GROUP,
                                List.of(Topics.CELEBRITY_ENTRIES.name()))).as(POST_PROCESSOR_GROUP).isZero();
                    });
        }
    }

    /**
     * The two compacted topics as compaction keeps them (the latest record per key), judged against one run.
     *
     * @param keys         entry keys
     * @param entriesOfRun entry keys whose latest value was written by the run
     * @param profiled     entry keys whose latest profile has the hash of the latest entry
     * @param doubled      profile keys without an entry, plus entry keys whose profiles of the latest raw value
     *                     disagree (more than one distinct weight, sentiment, score or metric for one raw value)
     * @param rewrites     profile records of the latest raw values beyond one per key (the same profile written
     *                     again, e.g. after a kill: compaction folds them into one)
     */
    record Table(long keys, long entriesOfRun, long profiled, long doubled, long rewrites) {
    }

    private static Table table(String jobId) {
        Map<String, CelebrityEntry> entries = latest(Topics.CELEBRITY_ENTRIES.name(),
                stack.serdes.deserializer(CelebrityEntry.class), null);
        Map<String, List<CelebrityProfile>> written = new HashMap<>();
        Map<String, CelebrityProfile> profiles = latest(Topics.CELEBRITY_PROFILES.name(),
                stack.serdes.deserializer(CelebrityProfile.class), written);
        long ofRun = entries.values().stream().filter(entry -> entry.getJobId().equals(jobId)).count();
        long profiled = 0;
        long disagreeing = 0;
        long rewrites = 0;
        for (Map.Entry<String, CelebrityEntry> entry : entries.entrySet()) {
            String hash = Enrichment.hash(entry.getValue());
            CelebrityProfile profile = profiles.get(entry.getKey());
            profiled += profile != null && profile.getEntryHash().equals(hash) ? 1 : 0;
            List<CelebrityProfile> ofValue = written.getOrDefault(entry.getKey(), List.of()).stream()
                    .filter(p -> p.getEntryHash().equals(hash)).toList();
            Set<String> contents = new HashSet<>();
            ofValue.forEach(p -> contents.add(p.getMetric() + "/" + p.getWeight() + "/" + p.getSentiment() + "/"
                    + p.getSentimentScore()));
            disagreeing += contents.size() > 1 ? 1 : 0;
            rewrites += Math.max(0, ofValue.size() - 1);
        }
        long orphans = profiles.keySet().stream().filter(key -> !entries.containsKey(key)).count();
        return new Table(entries.size(), ofRun, profiled, orphans + disagreeing, rewrites);
    }

    /** The latest value per key of a topic (a tombstone removes the key); collects each key's profiles if asked. */
    private static <V> Map<String, V> latest(String topic, Deserializer<V> values,
                                             Map<String, List<CelebrityProfile>> written) {
        Map<String, V> latest = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : ExactlyOnceChecker.readRaw(stack.bootstrapServers(), topic)) {
            if (record.value() == null) {
                latest.remove(record.key());
                continue;
            }
            V value = values.deserialize(topic, record.headers(), record.value());
            latest.put(record.key(), value);
            if (written != null && value instanceof CelebrityProfile profile) {
                written.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(profile);
            }
        }
        return latest;
    }
}
