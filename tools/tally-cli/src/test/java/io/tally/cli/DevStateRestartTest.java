package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.localruntime.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state of a {@code tally dev} stack lasts across a restart on the same data dir: the broker's log, the registry's
 * schemas (H2 file), the Streams state and the outputs. Runs the chart pipeline, stops the whole stack, starts it again
 * on the same dir and runs the same chart: the tracks are still known, the first job is still listed, the registry still
 * resolves the ids written before, and nothing is done twice.
 */
@Timeout(900)
class DevStateRestartTest {

    private static final Duration SETTLE = Duration.ofMinutes(3);
    private static final Duration STARTUP = Duration.ofMinutes(4);
    private static final String SEARCH_REQUESTS = TaskHeaders.requestTopic("search-track");

    @TempDir
    Path data;

    private LocalStack stack;

    @AfterEach
    void stopTheStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aRestartedStackKnowsItsTracksJobsAndSchemasAndDoublesNoEffect() throws Exception {
        // Given the chart pipeline ran once on a stack with a lasting data dir
        start();
        String firstJob = DemoCommand.trigger(stack.port(PipelineServices.SCHEDULER));
        PipelineWatcher.Outcome first = watch(firstJob);
        assertThat(first.settled()).as("first run settled; %s; last status %s",
                StackTopics.stillness(stack.bootstrapServers()), first.status()).isTrue();
        assertThat(first.completions()).singleElement().extracting(JobCompleted::getExpectedCount).isEqualTo(100);
        int searchesBefore = readAll(SEARCH_REQUESTS).size();
        Set<Integer> idsWritten = schemaIds(Topics.JOB_COMPLETED.name());
        idsWritten.addAll(schemaIds(SEARCH_REQUESTS));
        // A schema registered after the catalogue's, as a producer's auto-registration would: re-registering the
        // catalogue on start gives its schemas their ids again, so only a later one shows that the ids were kept.
        idsWritten.add(registerProbeSchema());
        Map<Integer, String> schemasBefore = schemas(idsWritten);
        assertThat(searchesBefore).isEqualTo(100);
        assertThat(idsWritten).hasSizeGreaterThan(1);
        awaitNotificationFiles(firstJob);

        // When the whole stack stops and starts again on the same data dir
        stack.close();
        stack = null;
        start();

        // Then the registry still resolves every schema id written before the restart, to the same schema
        assertThat(schemas(idsWritten)).isEqualTo(schemasBefore);
        // And the jobs API still lists the first job, ended, with its counts
        JsonNode job = awaitJob(firstJob);
        assertThat(job.path("status").asText()).isEqualTo(first.completions().get(0).getState().name());
        assertThat(job.path("expectedCount").asInt()).isEqualTo(100);

        // When the same chart runs again
        String secondJob = DemoCommand.trigger(stack.port(PipelineServices.SCHEDULER));
        PipelineWatcher.Outcome second = watch(secondJob);

        // Then every track is still known: the new job expects nothing and no search was requested
        assertThat(second.settled()).as("second run settled; %s; last status %s",
                StackTopics.stillness(stack.bootstrapServers()), second.status()).isTrue();
        assertThat(second.completions()).singleElement().extracting(JobCompleted::getExpectedCount).isEqualTo(0);
        assertThat(readAll(SEARCH_REQUESTS)).hasSize(searchesBefore);
        // And no effect of the first job happened twice: one completion, one playlist file, one notification
        assertThat(readAll(Topics.JOB_COMPLETED.name()).stream().filter(record -> firstJob.equals(record.key())))
                .hasSize(1);
        try (Stream<Path> files = Files.list(data.resolve("playlists"))) {
            assertThat(files.filter(file -> file.toString().endsWith(".m3u"))).hasSize(1);
        }
        assertThat(notificationFiles(firstJob)).hasSize(1);
    }

    private void start() {
        stack = LocalStack.startInfrastructure(new LocalStack.Settings(data, 0, 0, 0, STARTUP, System.out::println,
                data.resolve("logs"), true));
        stack.startServices(PipelineServices.offline(data, false, Map.of()));
    }

    private PipelineWatcher.Outcome watch(String jobId) {
        try (PipelineWatcher watcher = new PipelineWatcher(stack.bootstrapServers(),
                AvroSerdes.forRegistry(stack.registryUrl(), false), jobId, System.out::println)) {
            return watcher.await(SETTLE, Duration.ofSeconds(3));
        }
    }

    private JsonNode awaitJob(String jobId) {
        String url = "http://localhost:" + stack.port(PipelineServices.API) + "/api/jobs/" + jobId;
        return await("job " + jobId + " listed after the restart").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> response = get(url, true);
                    return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()) : null;
                }, job -> job != null);
    }

    /** Waits until the notification of a job is out, so the restart cannot be what delivers it. */
    private void awaitNotificationFiles(String jobId) {
        await("notification of " + jobId).atMost(SETTLE).until(() -> notificationFiles(jobId).size() == 1);
    }

    private List<Path> notificationFiles(String jobId) throws IOException {
        Path outbox = data.resolve("outbox");
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(outbox)) {
            return files.filter(file -> file.getFileName().toString().contains(jobId)).toList();
        }
    }

    /** Registers a schema of its own under a new artifact; returns its content id. */
    private int registerProbeSchema() throws IOException, InterruptedException {
        String name = "Probe" + UUID.randomUUID().toString().replace("-", "");
        String schema = "{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"io.tally.test\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.registryUrl() + "/groups/default/artifacts"))
                .header("Content-Type", "application/json")
                .header("X-Registry-ArtifactId", "restart-probe-" + name)
                .header("X-Registry-ArtifactType", "AVRO")
                .POST(HttpRequest.BodyPublishers.ofString(schema)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return new ObjectMapper().readTree(created.body()).path("contentId").asInt();
    }

    /** The schema text behind each content id, or the HTTP status when it does not resolve. */
    private Map<Integer, String> schemas(Set<Integer> contentIds) throws IOException, InterruptedException {
        Map<Integer, String> schemas = new java.util.TreeMap<>();
        for (int id : contentIds) {
            HttpResponse<String> schema = get(stack.registryUrl() + "/ids/contentIds/" + id, false);
            schemas.put(id, schema.statusCode() == 200 ? schema.body() : "HTTP " + schema.statusCode());
        }
        return schemas;
    }

    private static HttpResponse<String> get(String url, boolean withKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (withKey) {
            request.header("X-API-Key", PipelineServices.LOCAL_API_KEY);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The schema ids in the Confluent framing of a topic's records (magic byte 0, then a 4-byte id). */
    private Set<Integer> schemaIds(String topic) {
        Set<Integer> ids = new TreeSet<>();
        for (ConsumerRecord<String, byte[]> record : readAll(topic)) {
            if (record.value() != null && record.value().length > 5 && record.value()[0] == 0) {
                ids.add(ByteBuffer.wrap(record.value(), 1, 4).getInt());
            }
        }
        return ids;
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return StackTopics.readAll(stack.bootstrapServers(), topic);
    }
}
