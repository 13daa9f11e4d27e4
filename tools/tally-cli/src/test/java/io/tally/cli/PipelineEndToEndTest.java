package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.Stages;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageState;
import io.tally.localruntime.LocalStack;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The reference pipeline end to end on the engine (pipelines/beatport-chart.yml): every service against a real KRaft
 * broker process and the real registry, offline adapters for the chart, search and playlist, and a real SMTP server
 * (GreenMail) for the email. The sample chart's track "Take Your Places" fails the 3 deliveries of each of the
 * search stage's 4 attempts, so each attempt is dead-lettered and the element fails; redriving the dead letters makes
 * a 4th delivery succeed, which corrects the ended job. Last, a replay of the task results must change no ended job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(900)
class PipelineEndToEndTest {

    private static final String FAILING_TITLE = "Take Your Places";
    private static final String RECIPIENT = "ops@tally.test";
    private static final Duration SETTLE = Duration.ofMinutes(5);
    /** The search stage's attempts (pipelines/beatport-chart.yml), each dead-lettered after its 3 deliveries. */
    private static final int SEARCH_ATTEMPTS = 4;
    private static final String SEARCH_REQUESTS = TaskHeaders.requestTopic("search-track");
    private static final String SEARCH_DLT = TaskHeaders.deadLetterTopic("search-track");

    @TempDir
    static Path output;

    static GreenMail smtp;
    static LocalStack stack;
    static AvroSerdes serdes;
    static String firstJob;

    @BeforeAll
    static void startThePipeline() throws IOException {
        smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        stack = LocalStack.startInfrastructure(new LocalStack.Settings(output.resolve("data"), 0, 0, 0,
                Duration.ofMinutes(4), System.out::println));
        stack.startServices(PipelineServices.offline(output, false, Map.of(
                // The failing title fails the 3 deliveries of every attempt, so each attempt is dead-lettered; a
                // redriven dead letter is a 4th delivery, which succeeds.
                PipelineServices.SEARCH, List.of("--tally.search.offline.failing=" + FAILING_TITLE,
                        "--tally.worker.retry.attempts=3", "--tally.search.offline.fail-attempts=3"),
                PipelineServices.NOTIFY, List.of("--tally.notify.email.enabled=true",
                        "--tally.notify.email.to=" + RECIPIENT,
                        "--spring.mail.host=127.0.0.1",
                        "--spring.mail.port=" + smtp.getSmtp().getPort()))));
        serdes = AvroSerdes.forRegistry(stack.registryUrl(), false);
    }

    @AfterAll
    static void stopThePipeline() {
        if (stack != null) {
            stack.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    @Order(1)
    void turnsTheSampleChartIntoOnePlaylistInChartOrderAndOneEmailThatNamesTheFailure() throws Exception {
        // When the chart pipeline is triggered by hand
        firstJob = DemoCommand.trigger(stack.port(PipelineServices.SCHEDULER));
        PipelineWatcher.Outcome outcome = watch(firstJob);

        // Then the job completes once, with the one failing search counted as failed
        assertThat(outcome.settled()).as("settled; %s; last status %s",
                StackTopics.stillness(stack.bootstrapServers()), outcome.status()).isTrue();
        assertThat(outcome.completions()).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
            assertThat(done.getExpectedCount()).isEqualTo(100);
            assertThat(done.getSucceededCount()).isEqualTo(99);
            assertThat(done.getFailedCount()).isEqualTo(1);
        });
        // And one playlist holds every resolved track, in chart order
        PlaylistCreated playlist = outcome.playlists().get(0);
        assertThat(outcome.playlists()).hasSize(1);
        assertThat(playlist.getEntryCount()).isEqualTo(99);
        assertThat(playlistEntries(playlist)).containsExactlyElementsOf(sampleEntriesWithout(FAILING_TITLE));
        // And each of the failed search's attempts is in the task type's dead-letter topic with its reason
        List<ConsumerRecord<String, byte[]>> deadLetters = readAll(SEARCH_DLT);
        assertThat(deadLetters).hasSize(SEARCH_ATTEMPTS).allSatisfy(record -> {
            assertThat(record.key()).isEqualTo(firstJob);
            assertThat(DeadLetterHeaders.reason(record.headers())).contains("configured to fail");
        });
        // And exactly one email about the job reached the SMTP server, naming the failed track's error
        List<MimeMessage> aboutJob = emailsAbout(firstJob);
        assertThat(aboutJob).hasSize(1);
        assertThat(GreenMailUtil.getBody(aboutJob.get(0))).contains("failed");
        assertThat(aboutJob.get(0).getAllRecipients()[0].toString()).isEqualTo(RECIPIENT);
    }

    @Test
    @Order(2)
    void showsTheEndedJobWithItsCountsAndPlaylistThroughTheJobsApi() {
        // Given the first run has settled
        assertThat(firstJob).as("the first test ran").isNotNull();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        // When the command line asks the jobs API for it
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("jobs", "show", firstJob, "--api-url", apiUrl(), "--api-key", PipelineServices.LOCAL_API_KEY);

        // Then it shows the final state, the counts and the playlist link
        assertThat(exitCode).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("COMPLETED_WITH_FAILURES").contains("99 succeeded, 1 failed, 0 skipped of 100")
                .contains("search:succeeded").contains("playlist:succeeded").contains("; playlist file:/");
    }

    @Test
    @Order(3)
    void publishingTheSameChartAgainCreatesNoSearchWorkAndNoSecondPlaylist() throws Exception {
        // Given the first run has settled
        assertThat(firstJob).as("the first test ran").isNotNull();
        int searchesBefore = readAll(SEARCH_REQUESTS).size();

        // When the pipeline runs again on the same chart, this time through the jobs API
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(apiUrl() + "/api/pipelines/" + DemoCommand.PIPELINE + "/runs"))
                .header("X-API-Key", PipelineServices.LOCAL_API_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String secondJob = new ObjectMapper().readTree(accepted.body()).path("jobId").asText();
        PipelineWatcher.Outcome outcome = watch(secondJob);

        // Then the new job completes with nothing to search, and its playlist stage finds the chart's playlist made
        assertThat(secondJob).isNotEqualTo(firstJob);
        assertThat(outcome.completions()).singleElement().extracting(JobCompleted::getExpectedCount).isEqualTo(0);
        assertThat(outcome.stage(Stages.PLAYLIST).getState()).isEqualTo(StageState.SUCCEEDED);
        assertThat(outcome.playlists()).isEmpty();
        // And no search was requested, and there is still one playlist file
        assertThat(readAll(SEARCH_REQUESTS)).hasSize(searchesBefore);
        try (Stream<Path> files = Files.list(output.resolve("playlists"))) {
            assertThat(files.filter(file -> file.toString().endsWith(".m3u"))).hasSize(1);
        }
    }

    @Test
    @Order(4)
    void redrivingTheFailedSearchCorrectsTheEndedJobWithoutASecondCompletionOrPlaylist() throws Exception {
        // Given the first job ended with its failed search's attempts in the dead-letter topic
        assertThat(firstJob).as("the first test ran").isNotNull();
        assertThat(readAll(SEARCH_DLT)).hasSize(SEARCH_ATTEMPTS);

        // When an operator redrives the dead-letter topic from the command line
        CliRun redrive = cli("dlt", "redrive", SEARCH_DLT, "--all");

        // Then the records are sent back to the search requests, and their 4th delivery succeeds
        assertThat(redrive.exitCode()).as("stderr: %s", redrive.err()).isZero();
        assertThat(redrive.out()).contains("selected %d, redriven %d, skipped 0".formatted(SEARCH_ATTEMPTS, SEARCH_ATTEMPTS));
        JsonNode job = awaitJob(firstJob, status -> status.path("succeededCount").asInt() == 100);
        // And the engine takes the last attempt's success as a correction (the older attempts' are duplicates): the
        // job is now COMPLETED
        assertThat(job.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(job.path("failedCount").asInt()).isZero();
        assertThat(job.path("correctionCount").asInt()).isEqualTo(1);
        // And the job still completed exactly once, and its playlist was not made again
        assertThat(completionsOf(firstJob)).hasSize(1);
        assertThat(readAll(Topics.PLAYLISTS_CREATED.name())).hasSize(1);
        // And the command line shows the corrected counts
        CliRun show = cli("jobs", "show", firstJob, "--no-follow");
        assertThat(show.exitCode()).as("stderr: %s", show.err()).isZero();
        assertThat(show.out()).contains("COMPLETED").doesNotContain("COMPLETED_WITH_FAILURES")
                .contains("100 succeeded, 0 failed, 0 skipped of 100");
    }

    @Test
    @Order(5)
    void replayingTheTaskResultsChangesNoEndedJob() throws Exception {
        // Given the first job's corrected counts, and its results so far (each attempt's and the redriven ones)
        assertThat(firstJob).as("the first test ran").isNotNull();
        JsonNode before = awaitJob(firstJob, status -> status.path("succeededCount").asInt() == 100);
        long results = readAll(Topics.TASK_RESULTS.name()).stream().filter(record -> firstJob.equals(record.key())).count();
        assertThat(results).isGreaterThanOrEqualTo(100 + 2 * SEARCH_ATTEMPTS);
        CliRun dryRun = cli("replay", Topics.TASK_RESULTS.name(), "--from-offset", "0", "--dry-run");
        assertThat(dryRun.exitCode()).as("stderr: %s", dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("dry run:");

        // When the whole results topic is replayed
        CliRun replay = cli("replay", Topics.TASK_RESULTS.name(), "--from-offset", "0");

        // Then every result of the job is re-produced, and the engine sees each as a duplicate
        assertThat(replay.exitCode()).as("stderr: %s", replay.err()).isZero();
        assertThat(replay.out()).startsWith("replayed ");
        long replayed = Long.parseLong(replay.out().split(" ")[1]);
        assertThat(replayed).isGreaterThanOrEqualTo(results);
        long duplicatesBefore = before.path("duplicateCount").asLong();
        JsonNode after = awaitJob(firstJob, status -> status.path("duplicateCount").asLong() >= duplicatesBefore + results);
        // And no count, correction or completion changed
        for (String field : List.of("status", "expectedCount", "succeededCount", "failedCount", "skippedCount",
                "correctionCount", "lateCount", "completedAt")) {
            assertThat(after.path(field)).as(field).isEqualTo(before.path(field));
        }
        assertThat(completionsOf(firstJob)).hasSize(1);
        try (Stream<Path> files = Files.list(output.resolve("playlists"))) {
            assertThat(files.filter(file -> file.toString().endsWith(".m3u"))).hasSize(1);
        }
    }

    /** What a command-line run printed and returned. */
    private record CliRun(int exitCode, String out, String err) {
    }

    private static CliRun cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--api-url", apiUrl(), "--api-key", PipelineServices.LOCAL_API_KEY));
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(all.toArray(String[]::new));
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    /** The job as the API shows it once {@code settled} holds; fails with the last answer after SETTLE. */
    private static JsonNode awaitJob(String jobId, java.util.function.Predicate<JsonNode> settled) {
        return await("job " + jobId + " settles").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(apiUrl() + "/api/jobs/" + jobId))
                    .header("X-API-Key", PipelineServices.LOCAL_API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()) : null;
        }, job -> job != null && settled.test(job));
    }

    private static List<JobCompleted> completionsOf(String jobId) {
        try (var deserializer = serdes.deserializer(JobCompleted.class)) {
            return readAll(Topics.JOB_COMPLETED.name()).stream()
                    .filter(record -> jobId.equals(record.key()))
                    .map(record -> deserializer.deserialize(record.topic(), record.headers(), record.value()))
                    .toList();
        }
    }

    private static String apiUrl() {
        return "http://localhost:" + stack.port(PipelineServices.API);
    }

    private static PipelineWatcher.Outcome watch(String jobId) {
        return StackTopics.watch(stack.bootstrapServers(), serdes, jobId, SETTLE);
    }

    private static List<String> playlistEntries(PlaylistCreated playlist) throws IOException {
        String prefix = "#EXTINF:-1,";
        return Files.readAllLines(Path.of(URI.create(playlist.getUrl()))).stream()
                .filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length())).toList();
    }

    /** "Artist A, Artist B - Title" of each track of the scraper's offline sample chart, in chart order. */
    private static List<String> sampleEntriesWithout(String title) throws IOException {
        try (InputStream sample = PipelineEndToEndTest.class.getResourceAsStream("/charts/beatport-top100-sample.json")) {
            List<String> entries = new ArrayList<>();
            for (JsonNode track : new ObjectMapper().readTree(sample).get("tracks")) {
                if (!track.get("title").asText().equals(title)) {
                    List<String> artists = new ArrayList<>();
                    track.get("artists").forEach(artist -> artists.add(artist.asText()));
                    entries.add(String.join(", ", artists) + " - " + track.get("title").asText());
                }
            }
            return entries;
        }
    }

    private static List<MimeMessage> emailsAbout(String jobId) throws Exception {
        List<MimeMessage> matching = new ArrayList<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            if (message.getSubject().contains(jobId)) {
                matching.add(message);
            }
        }
        return matching;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return StackTopics.readAll(stack.bootstrapServers(), topic);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
