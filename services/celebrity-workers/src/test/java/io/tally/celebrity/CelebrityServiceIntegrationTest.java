package io.tally.celebrity;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.celebrity.quality.CheckCelebrityQualityHandler;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityInput;
import io.tally.tasks.celebrity.CheckCelebrityQualityOutput;
import io.tally.tasks.celebrity.CollectCelebritiesInput;
import io.tally.tasks.celebrity.CollectCelebritiesOutput;
import io.tally.tasks.celebrity.Sentiment;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskResult;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The service on a real broker and registry: the post-processor's batches of mixed good, bad and duplicate entries,
 * a source task's writes, and the read endpoint. Every test uses celebrity ids of its own, since they share the
 * tables.
 */
@TallyServiceTest(properties = {
        "spring.application.name=celebrity-workers",
        "tally.api.security.api-keys[0].name=test-user",
        "tally.api.security.api-keys[0].key=" + CelebrityServiceIntegrationTest.USER_KEY,
        "tally.api.security.api-keys[0].roles=USER",
        "tally.celebrities.quality.catch-up-wait=2s"})
class CelebrityServiceIntegrationTest {

    static final String USER_KEY = "celebrity-test-user-key-0123456789";

    private static final String ENTRIES = Topics.CELEBRITY_ENTRIES.name();
    private static final String PROFILES = Topics.CELEBRITY_PROFILES.name();
    private static final String DEAD_LETTERS = Topics.CELEBRITY_POST_PROCESSOR_DLT.name();

    @Autowired
    KafkaTestClient kafka;
    @Autowired
    TaskRequests tasks;
    @Autowired
    ServiceHttp http;
    @Autowired
    AvroSerdes serdes;
    @Autowired
    KafkaListenerEndpointRegistry listeners;
    @Autowired
    MeterRegistry meters;

    @Test
    void enrichesAMixedBatchDeadLetteringTheBadEntriesSkippingTheDuplicateAndGoingOnAfterThem() throws Exception {
        // Given, on one partition in this order: two good entries, one with a negative metric, bytes that are no entry,
        // an entry under a key that is not its own, the first entry again (same raw value, another job), a good one
        String run = UUID.randomUUID().toString().substring(0, 8);
        CelebrityEntry a = TestEntries.entry("a-" + run, "news", 300, "wins award", "job-1");
        CelebrityEntry b = TestEntries.entry("b-" + run, "news", 3, "scandal", "job-1");
        CelebrityEntry negative = TestEntries.entry("c-" + run, "news", -5, "visits", "job-1");
        CelebrityEntry misfiled = TestEntries.entry("x-" + run, "news", 7, "visits", "job-1");
        CelebrityEntry aAgain = CelebrityEntry.newBuilder(a).setJobId("job-2").setCollectedAt(Instant.now()).build();
        CelebrityEntry f = TestEntries.entry("f-" + run, "social", 1234, "loved", "job-1");
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer();
             KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            producer.send(new ProducerRecord<>(ENTRIES, 0, key(a), a)).get();
            producer.send(new ProducerRecord<>(ENTRIES, 0, key(b), b)).get();
            producer.send(new ProducerRecord<>(ENTRIES, 0, key(negative), negative)).get();
            raw.send(new ProducerRecord<>(ENTRIES, 0, "d-" + run + "/news", "not avro".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(ENTRIES, 0, "e-" + run + "/news", misfiled)).get();
            producer.send(new ProducerRecord<>(ENTRIES, 0, key(aAgain), aAgain)).get();
            producer.send(new ProducerRecord<>(ENTRIES, 0, key(f), f)).get();
        }

        // When the post-processor has got to the last one
        List<ConsumerRecord<String, CelebrityProfile>> last = kafka.await(PROFILES, CelebrityProfile.class,
                KafkaTestClient.withKey(key(f)), 1, KafkaTestClient.WAIT);

        // Then the good entries have profiles with weight and sentiment, the last one after all the bad ones
        assertThat(last).singleElement().satisfies(record -> {
            assertThat(record.value().getSentiment()).isEqualTo(Sentiment.POSITIVE);
            assertThat(record.value().getWeight()).isPositive();
        });
        Map<String, List<CelebrityProfile>> profiles = kafka.readAll(PROFILES, CelebrityProfile.class, KafkaTestClient.WAIT)
                .stream().filter(record -> record.key().contains(run))
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
        assertThat(profiles).containsOnlyKeys(key(a), key(b), key(f));
        assertThat(profiles.get(key(b))).singleElement().satisfies(profile ->
                assertThat(profile.getSentiment()).isEqualTo(Sentiment.NEGATIVE));
        // And the duplicate of a (same raw value) was skipped: a has one profile, from the first job
        assertThat(profiles.get(key(a))).singleElement().satisfies(profile ->
                assertThat(profile.getJobId()).isEqualTo("job-1"));
        // And the three bad records are dead letters with their reasons, the unreadable one with its bytes as they were
        List<ConsumerRecord<String, byte[]>> dead = kafka.awaitRaw(DEAD_LETTERS, record -> record.key().contains(run), 3,
                KafkaTestClient.WAIT);
        Map<String, String> reasons = dead.stream().collect(Collectors.toMap(ConsumerRecord::key,
                record -> DeadLetterHeaders.reason(record.headers())));
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(key(negative))).contains("negative metric -5");
        assertThat(reasons.get("d-" + run + "/news")).contains("unreadable entry value");
        assertThat(reasons.get("e-" + run + "/news")).contains("is not <celebrityId>/<source>");
        assertThat(dead).filteredOn(record -> record.key().startsWith("d-")).singleElement()
                .satisfies(record -> assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not avro"));
    }

    @Test
    void aSourceTaskWritesOneEntryPerCelebrityAndARedeliveryRewritesTheSameKeys() {
        // Given a request of the offline news source for 5 celebrities, delivered twice (same ce_id)
        String job = TaskRequests.newJob();
        CollectCelebritiesInput input = CollectCelebritiesInput.newBuilder().setJobId(job).setLimit(5).build();
        tasks.send("collect-news", job, "news", null, 1, input);
        tasks.send("collect-news", job, "news", null, 1, input);

        // When both are answered
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 2);

        // Then each says 5 written by the offline fixture
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
            CollectCelebritiesOutput output = tasks.output(record.value(), CollectCelebritiesOutput.class);
            assertThat(output.getWritten()).isEqualTo(5);
            assertThat(output.getAdapter()).isEqualTo("offline-fixture");
        });
        // And the topic got the roster's first 5 as <celebrityId>/news twice, all of this job: the same 5 keys
        List<String> keys = List.of("taylor-swift/news", "beyonce/news", "rihanna/news", "lady-gaga/news",
                "ariana-grande/news");
        var values = serdes.deserializer(CelebrityEntry.class);
        List<ConsumerRecord<String, byte[]>> written = kafka.awaitRaw(ENTRIES, record -> keys.contains(record.key())
                && values.deserialize(ENTRIES, record.headers(), record.value()).getJobId().equals(job), 10,
                KafkaTestClient.WAIT);
        assertThat(written).hasSize(10);
        assertThat(written.stream().map(ConsumerRecord::key).distinct()).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void listsProfilesHeaviestFirstFilteredAndPaged() throws Exception {
        // Given five profiles of a source of this test's own
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            for (int i = 0; i < 5; i++) {
                CelebrityProfile profile = CelebrityProfile.newBuilder().setCelebrityId("p" + i).setName("P " + i)
                        .setSource("apitest").setMetric(i).setWeight(10 * i)
                        .setSentiment(i == 2 ? Sentiment.NEGATIVE : Sentiment.POSITIVE).setSentimentScore(i == 2 ? -1 : 1)
                        .setEntryHash("h" + i).setJobId("job-api").setEnrichedAt(Instant.EPOCH).build();
                producer.send(new ProducerRecord<>(PROFILES, "p" + i + "/apitest", profile)).get();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("/api/celebrities?source=apitest").body()).contains("\"total\":5"));

        // When the second page of two is asked for, and the negative ones
        HttpResponse<String> page = get("/api/celebrities?source=apitest&page=1&size=2");
        HttpResponse<String> negative = get("/api/celebrities?source=apitest&sentiment=negative");

        // Then the page holds the third and fourth heaviest, and the filter the one negative profile
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("\"celebrityId\":\"p2\"").contains("\"celebrityId\":\"p1\"")
                .doesNotContain("\"celebrityId\":\"p4\"").contains("\"page\":1").contains("\"size\":2");
        assertThat(page.body().indexOf("\"p2\"")).isLessThan(page.body().indexOf("\"p1\""));
        assertThat(negative.body()).contains("\"total\":1").contains("\"sentiment\":\"negative\"");
    }

    @Test
    void refusesBadPagingAndAnUnknownSentimentWithProblemJson() {
        for (String query : List.of("page=-1", "size=0", "size=101", "sentiment=angry")) {
            // Given a bad parameter, when the list is asked for with it
            HttpResponse<String> answer = get("/api/celebrities?" + query);

            // Then the answer is 400 problem+json
            assertThat(answer.statusCode()).as(query).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type")).as(query).hasValueSatisfying(type ->
                    assertThat(type).startsWith("application/problem+json"));
        }
    }

    @Test
    void theQualityCheckFailsRetryableWhilePostProcessingIsBehindAndJudgesTheRunOnceItCaughtUp() {
        // Given the post-processor stopped, and a run whose four offline sources wrote 3 celebrities each
        MessageListenerContainer postProcessor = listeners.getListenerContainer("celebrity-post-processor");
        postProcessor.stop();
        String job = TaskRequests.newJob();
        try {
            for (String source : List.of("tmdb", "wikipedia", "news", "social")) {
                tasks.send("collect-" + source, job, source, null, 1,
                        CollectCelebritiesInput.newBuilder().setJobId(job).setLimit(3).build());
            }
            assertThat(tasks.results(job, 4)).allSatisfy(record ->
                    assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));

            // When the check runs while nothing is post-processed
            tasks.send(CheckCelebrityQualityHandler.TASK_TYPE, job, "quality", null, 1, checkOf(job, 3));

            // Then it fails as retryable post-processing-behind after its 2 s wait
            assertThat(resultOf(job, "quality", 1)).satisfies(result -> {
                assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
                assertThat(result.getError().getCode()).isEqualTo(CheckCelebrityQualityHandler.BEHIND);
                assertThat(result.getError().getRetryable()).isTrue();
            });
        } finally {
            postProcessor.start();
        }

        // And when the engine's next attempt comes after the post-processor ran again
        tasks.send(CheckCelebrityQualityHandler.TASK_TYPE, job, "quality", null, 2, checkOf(job, 3));

        // Then it succeeds with the run's distributions: 12 of 12 entries enriched, PASSED
        TaskResult passed = resultOf(job, "quality", 2);
        assertThat(passed.getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        CheckCelebrityQualityOutput output = tasks.output(passed, CheckCelebrityQualityOutput.class);
        assertThat(output.getVerdict()).isEqualTo("PASSED");
        assertThat(output.getEntries()).isEqualTo(12);
        assertThat(output.getEnriched()).isEqualTo(12);
        assertThat(output.getEntriesBySource()).containsOnly(Map.entry("tmdb", 3), Map.entry("wikipedia", 3),
                Map.entry("news", 3), Map.entry("social", 3));
    }

    @Test
    void theQualityCheckFailsARunBelowTheThresholdForGood() {
        // Given a run in which only the social source wrote (3 entries where at least 9 are needed)
        String job = TaskRequests.newJob();
        tasks.send("collect-social", job, "social", null, 1,
                CollectCelebritiesInput.newBuilder().setJobId(job).setLimit(3).build());
        assertThat(tasks.results(job, 1)).singleElement().satisfies(record ->
                assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
        double failedBefore = qualityChecks("FAILED");

        // When the check runs
        tasks.send(CheckCelebrityQualityHandler.TASK_TYPE, job, "quality", null, 1, checkOf(job, 3));

        // Then it fails, not retryable, with quality-below-threshold and the summary naming what is missing
        assertThat(resultOf(job, "quality", 1)).satisfies(result -> {
            assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(result.getError().getCode()).isEqualTo(CheckCelebrityQualityHandler.BELOW_THRESHOLD);
            assertThat(result.getError().getRetryable()).isFalse();
            assertThat(result.getError().getMessage()).startsWith("FAILED: 3 of 12 entries")
                    .contains("at least 9 entries needed").endsWith("no entries from news, tmdb, wikipedia");
        });
        // And the alert's counter counted it
        assertThat(qualityChecks("FAILED") - failedBefore).isEqualTo(1);
    }

    private static CheckCelebrityQualityInput checkOf(String job, int limit) {
        return CheckCelebrityQualityInput.newBuilder().setJobId(job)
                .setSources(List.of("tmdb", "wikipedia", "news", "social")).setLimit(limit).build();
    }

    private TaskResult resultOf(String job, String stage, int attempt) {
        return kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class, record -> record.key().equals(job)
                        && record.value().getStage().equals(stage) && record.value().getAttempt() == attempt, 1,
                KafkaTestClient.WAIT).get(0).value();
    }

    private double qualityChecks(String verdict) {
        var counter = meters.find(CheckCelebrityQualityHandler.CHECKS).tag("verdict", verdict).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void refusesACallerWithoutAKey() {
        assertThat(http.get("/api/celebrities").statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> get(String path) {
        return http.get(path, "X-API-Key", USER_KEY);
    }

    private static String key(CelebrityEntry entry) {
        return entry.getCelebrityId() + "/" + entry.getSource();
    }
}
