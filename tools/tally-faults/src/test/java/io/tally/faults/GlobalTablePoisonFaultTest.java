package io.tally.faults;

import io.tally.common.topics.Topics;
import io.tally.playlist.PlaylistApplication;
import io.tally.localruntime.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Poison records on the compacted topics the playlist service reads as global stores ({@code tally.charts.published},
 * {@code tally.tracks}). Found by {@link PipelineFaultTest}: one unreadable record used to stop the whole service;
 * now the global stores skip it (logged) and the service goes on making playlists.
 */
@Timeout(600)
class GlobalTablePoisonFaultTest {

    @TempDir
    Path dir;

    FaultStack stack;
    ServiceProcess playlist;

    // A fresh broker and service per topic, so each case starts from a clean topic.
    @BeforeEach
    void startThePlaylistService() {
        stack = FaultStack.start(dir);
        playlist = stack.service("playlist-service-g", PlaylistApplication.class, PlaylistApplication.CONFIG_NAME,
                "--tally.playlist.adapter=file", "--tally.playlist.file.output-dir=" + dir.resolve("playlists"));
        FaultStack.startAll(List.of(playlist));
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tally.charts.published", "tally.tracks"})
    void anUnreadableRecordOnAGlobalTableTopicLeavesThePlaylistServiceRunning(String topic) throws Exception {
        // Given the playlist service is ready
        assertThat(Topics.byName(topic).name()).isEqualTo(topic);
        assertThat(readiness()).isEqualTo(200);

        // When a record that is not Avro lands on a topic it reads as a global store
        try (KafkaProducer<String, byte[]> raw = stack.rawProducer()) {
            raw.send(new ProducerRecord<>(topic, "poison-global", "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }

        // Then it stays alive and ready for the next 20 s (its Kafka Streams client does not go to ERROR)
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            assertThat(playlist.isAlive()).isTrue();
            assertThat(readiness()).as("readiness after poison on %s; log:\n%s", topic, playlist.tail(30))
                    .isEqualTo(200);
            Thread.sleep(1_000);
        }
    }

    private int readiness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + playlist.port() + "/actuator/health/readiness")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
