package io.tally.tracksearch;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.TrackKeys;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.TrackSearchRequested;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The worker as a whole service with the offline adapter, on a real KRaft broker (in-JVM) and a real Apicurio
 * registry process: outputs, retry topics with back-off, the catalogue's dead-letter topic, duplicates and poison.
 */
@TallyServiceTest(properties = {
        "tally.search.retry.attempts=3",
        "tally.search.retry.initial-delay=100ms",
        "tally.search.retry.multiplier=2",
        "tally.search.retry.max-delay=300ms",
        "tally.search.offline.not-found=Unreleased Dub",
        "tally.search.offline.failing=Broken Record"})
class TrackSearchIntegrationTest {

    private static final int ATTEMPTS = 3;

    @Autowired
    AvroSerdes serdes;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    ServiceHttp http;

    @Test
    void writesTheTrackRowBeforeTheSucceededItemWhenAVideoIsFound() throws Exception {
        // Given a request for a track the offline catalog knows
        TrackSearchRequested request = request("found", List.of("Bicep"), "Glue", "Original Mix");
        // When it is produced
        send(request);
        // Then the tracks table gets a FOUND row, and the job gets a SUCCEEDED item on attempt 1, written after it
        ConsumerRecord<String, TrackResolved> track = read(Topics.TRACKS.name(), TrackResolved.class,
                request.getTrackKey(), r -> true, 1).get(0);
        ConsumerRecord<String, ItemProcessed> item = read(Topics.ITEM_PROCESSED.name(), ItemProcessed.class,
                request.getJobId(), r -> r.value().getItemId().equals(request.getTrackKey()), 1).get(0);
        assertThat(track.value().getResolution()).isEqualTo(TrackResolution.FOUND);
        assertThat(track.value().getVideoId()).hasSize(11).matches("[A-Za-z0-9_-]{11}");
        assertThat(track.value().getVideoTitle()).isEqualTo("Bicep - Glue (Original Mix)");
        assertThat(track.value().getSource()).isEqualTo("offline-catalog");
        assertThat(item.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        assertThat(item.value().getAttempt()).isEqualTo(1);
        assertThat(item.value().getError()).isNull();
        assertThat(track.timestamp()).isLessThanOrEqualTo(item.timestamp());
    }

    @Test
    void skipsTheItemWithAReasonWhenNoVideoIsFound() throws Exception {
        // Given a title the offline catalog is configured not to find
        TrackSearchRequested request = request("missing", List.of("Floating Points"), "Unreleased Dub", null);
        // When it is produced
        send(request);
        // Then the track is NOT_FOUND and the item SKIPPED with the reason
        TrackResolved track = read(Topics.TRACKS.name(), TrackResolved.class, request.getTrackKey(), r -> true, 1)
                .get(0).value();
        ItemProcessed item = itemOf(request);
        assertThat(track.getResolution()).isEqualTo(TrackResolution.NOT_FOUND);
        assertThat(track.getVideoId()).isNull();
        assertThat(item.getOutcome()).isEqualTo(ItemOutcome.SKIPPED);
        assertThat(item.getError()).isEqualTo("no video found for Floating Points - Unreleased Dub");
    }

    @Test
    void retriesAnAlwaysFailingSearchThenDeadLettersItAndFailsTheItem() throws Exception {
        // Given a title whose search always fails with a retryable error
        TrackSearchRequested request = request("failing", List.of("Overmono"), "Broken Record", "Extended");
        // When it is produced
        send(request);
        // Then after all attempts the job still gets its item, FAILED with the attempts made and the reason
        ItemProcessed item = itemOf(request);
        assertThat(item.getOutcome()).isEqualTo(ItemOutcome.FAILED);
        assertThat(item.getAttempt()).isEqualTo(ATTEMPTS);
        assertThat(item.getError()).contains("configured to fail").doesNotStartWith("Listener method");
        // and the tracks table records the failure
        TrackResolved track = read(Topics.TRACKS.name(), TrackResolved.class, request.getTrackKey(), r -> true, 1)
                .get(0).value();
        assertThat(track.getResolution()).isEqualTo(TrackResolution.FAILED);
        assertThat(track.getError()).contains("configured to fail");
        // and the request itself is in the catalogue's dead-letter topic with its reason and original topic
        // (read raw: the DLT also holds other tests' poison records)
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(Topics.TRACK_SEARCH_DLT.name(), request.getTrackKey(), WAIT);
        assertThat(serdes.deserializer(TrackSearchRequested.class).deserialize(Topics.SEARCH_REQUESTS.name(),
                deadLetter.value())).isEqualTo(request);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("configured to fail");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(Topics.SEARCH_REQUESTS.name());
    }

    @Test
    void resolvesARedeliveredRequestToTheSameValues() throws Exception {
        // Given one request
        TrackSearchRequested request = request("duplicate", List.of("Fred again..", "Skrillex"), "Rumble", null);
        // When it is delivered twice
        send(request);
        send(request);
        // Then both deliveries give the same resolution and the same item (the tracker counts it once)
        List<ConsumerRecord<String, TrackResolved>> tracks = read(Topics.TRACKS.name(), TrackResolved.class,
                request.getTrackKey(), r -> true, 2);
        List<ConsumerRecord<String, ItemProcessed>> items = read(Topics.ITEM_PROCESSED.name(), ItemProcessed.class,
                request.getJobId(), r -> r.value().getItemId().equals(request.getTrackKey()), 2);
        assertThat(tracks).hasSize(2);
        assertThat(tracks).extracting(r -> r.value().getVideoId()).containsOnly(tracks.get(0).value().getVideoId())
                .doesNotContainNull();
        assertThat(tracks).extracting(r -> r.value().getVideoTitle()).containsOnly("Fred again.., Skrillex - Rumble");
        assertThat(items).hasSize(2).extracting(r -> r.value().getOutcome()).containsOnly(ItemOutcome.SUCCEEDED);
    }

    @Test
    void deadLettersPoisonRecordsWithAReasonAndWithoutAnItemThenKeepsWorking() throws Exception {
        // Given a value that is not Avro, a valid Avro record of the wrong type, and a good request after them
        String garbageKey = "poison-" + UUID.randomUUID();
        String wrongTypeKey = "wrong-type-" + UUID.randomUUID();
        TrackSearchRequested good = request("after-poison", List.of("Jamie xx"), "Gosh", null);
        // The registry's BACKWARD rule refuses an ItemProcessed schema under the requests topic's subject, so the
        // wrong-type record is what a misrouted producer sends: bytes framed for the items topic.
        byte[] misrouted;
        try (Serializer<SpecificRecord> avro = serdes.serializer()) {
            misrouted = avro.serialize(Topics.ITEM_PROCESSED.name(), ItemProcessed.newBuilder()
                    .setJobId("job-x").setItemId("x").setOutcome(ItemOutcome.SUCCEEDED)
                    .setProcessedAt(Instant.now()).build());
        }
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            // When they are produced, the poison first
            raw.send(new ProducerRecord<>(Topics.SEARCH_REQUESTS.name(), garbageKey,
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
            raw.send(new ProducerRecord<>(Topics.SEARCH_REQUESTS.name(), wrongTypeKey, misrouted)).get();
        }
        send(good);
        // Then both poison records are dead-lettered with the reason
        ConsumerRecord<String, byte[]> garbage = kafka.awaitFirstRaw(Topics.TRACK_SEARCH_DLT.name(), garbageKey, WAIT);
        assertThat(new String(garbage.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(DeadLetterHeaders.reason(garbage.headers())).contains("magic byte");
        assertThat(DeadLetterHeaders.originalTopic(garbage.headers())).isEqualTo(Topics.SEARCH_REQUESTS.name());
        ConsumerRecord<String, byte[]> wrongType = kafka.awaitFirstRaw(Topics.TRACK_SEARCH_DLT.name(), wrongTypeKey, WAIT);
        assertThat(DeadLetterHeaders.reason(wrongType.headers())).contains("ItemProcessed")
                .contains("TrackSearchRequested");
        // and the worker goes on with the next request
        assertThat(itemOf(good).getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        // and no item was reported for the poison (it names no job)
        assertThat(read(Topics.ITEM_PROCESSED.name(), ItemProcessed.class, "job-x", r -> true, 1, Duration.ofSeconds(3)))
                .isEmpty();
    }

    @Test
    void exposesSearchMetricsAndProbes() throws Exception {
        // Given one resolved request
        TrackSearchRequested request = request("metrics", List.of("Four Tet"), "Baby", null);
        send(request);
        itemOf(request);
        // When the actuator endpoints are read
        HttpResponse<String> prometheus = http.send(HttpRequest.newBuilder(
                http.uri("/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(
                http.uri("/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        // Then the search counters and timer are exported with their tags
        assertThat(prometheus.body())
                .containsPattern("tally_search_requests_total\\{.*adapter=\"offline-catalog\".*result=\"found\".*} [1-9]")
                .contains("tally_search_latency_seconds_count");
        assertThat(readiness.statusCode()).isEqualTo(200);
    }

    private ItemProcessed itemOf(TrackSearchRequested request) {
        return read(Topics.ITEM_PROCESSED.name(), ItemProcessed.class, request.getJobId(),
                r -> r.value().getItemId().equals(request.getTrackKey()), 1).get(0).value();
    }

    private static TrackSearchRequested request(String name, List<String> artists, String title, String mix) {
        return TrackSearchRequested.newBuilder()
                .setJobId("job-" + name + "-" + UUID.randomUUID())
                // A fresh key per test run: the embedded broker keeps topics for the whole class.
                .setTrackKey(TrackKeys.of(artists, title + " " + UUID.randomUUID(), mix))
                .setArtists(artists).setTitle(title).setMix(mix).setRequestedAt(Instant.now())
                .build();
    }

    private void send(TrackSearchRequested request) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.SEARCH_REQUESTS.name(), request.getTrackKey(), request)).get();
        }
    }

    private <T extends SpecificRecord> List<ConsumerRecord<String, T>> read(String topic, Class<T> type, String key,
            Predicate<ConsumerRecord<String, T>> filter, int expected) {
        List<ConsumerRecord<String, T>> found = read(topic, type, key, filter, expected, WAIT);
        assertThat(found).as("records with key %s on %s", key, topic).hasSizeGreaterThanOrEqualTo(expected);
        return found;
    }

    /** Reads until {@code expected} matching records arrived (then a little longer, to catch extras) or the wait ends. */
    private <T extends SpecificRecord> List<ConsumerRecord<String, T>> read(String topic, Class<T> type, String key,
            Predicate<ConsumerRecord<String, T>> filter, int expected, Duration wait) {
        return kafka.await(topic, type, record -> key.equals(record.key()) && filter.test(record), expected, wait);
    }
}
