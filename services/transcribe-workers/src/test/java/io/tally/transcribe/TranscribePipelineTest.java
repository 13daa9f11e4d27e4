package io.tally.transcribe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.common.artifacts.FileArtifactStore;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.events.TaskResult;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.KafkaBrokerProcess;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.tasks.transcribe.NormalizeAudioOutput;
import io.tally.tasks.transcribe.TranscribeAudioOutput;
import io.tally.testsupport.InJvmServices;
import io.tally.testsupport.KafkaTestClient;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code pipelines/transcribe.yml} end to end on a real broker process and the real registry, with the engine (the
 * job-tracker service, publishing the repository's pipelines folder) and these workers in this JVM, as
 * FanJoinPipelineTest runs the fan-join pipeline. The downloader is the real HTTP adapter against WireMock playing the
 * seed's video-downloader (serving the offline tone as the audio); normaliser and transcriber are the offline ones.
 */
@Timeout(240)
class TranscribePipelineTest {

    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration JOB = Duration.ofSeconds(60);
    private static final String PIPELINE = "transcribe";
    private static final Path PIPELINES = Path.of(System.getProperty("tally.local.pipelines", "../../pipelines"))
            .toAbsolutePath();

    @TempDir
    static Path dir;

    static KafkaBrokerProcess broker;
    static SchemaRegistryProcess registry;
    static WireMockServer downloader;
    static KafkaTestClient kafka;
    static AvroSerdes serdes;
    static FileArtifactStore artifacts;
    static InJvmServices services;

    @BeforeAll
    static void startBrokerEngineAndWorkers() throws Exception {
        broker = KafkaBrokerProcess.builder().dataDir(dir.resolve("kafka"))
                .logFile(Path.of("target", "transcribe-e2e", "broker.log").toAbsolutePath()).maxHeap("512m").start();
        registry = SchemaRegistryProcess.shared();
        serdes = AvroSerdes.forRegistry(registry.registryV2Url(), true);
        kafka = new KafkaTestClient(broker.bootstrapServers(), serdes);
        InJvmServices.createCatalogueTopics(broker.bootstrapServers());
        services = new InJvmServices(broker.bootstrapServers(), registry.registryV2Url(), dir.resolve("state"));
        downloader = new WireMockServer(options().dynamicPort());
        downloader.start();
        artifacts = new FileArtifactStore(dir.resolve("artifacts"));

        // The engine first: it publishes the definitions and creates the task topics before its streams start.
        ConfigurableApplicationContext engine = services.start(JobTrackerApplication.class, JobTrackerApplication.CONFIG_NAME,
                "--tally.pipelines.dir=" + PIPELINES, "--tally.tracker.status-interval=200ms");
        services.start(TranscribeWorkersApplication.class, TranscribeWorkersApplication.CONFIG_NAME,
                "--tally.artifacts.dir=" + artifacts.root(),
                "--tally.transcribe.download.adapter=http",
                "--tally.transcribe.download.service.base-url=" + downloader.baseUrl(),
                "--tally.transcribe.download.service.poll-interval=50ms",
                "--tally.transcribe.download.service.read-timeout=5s");
        InJvmServices.awaitStreamsRunning(engine, STARTUP);
    }

    @AfterAll
    static void stop() {
        if (services != null) {
            services.close();
        }
        if (downloader != null) {
            downloader.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aUrlIsDownloadedNormalisedAndTranscribedWithTextSegmentsAndLinksToStoredFiles() throws Exception {
        // Given a downloader that has the URL's audio (a WAV tone) ready after one poll
        String url = "https://www.youtube.com/watch?v=ok-" + UUID.randomUUID();
        stubDownloader(url, "ok");

        // When the transcribe pipeline runs for it with the seed's default options
        String jobId = trigger(url);

        // Then the job ends COMPLETED once, with download, normalize and transcribe each done
        assertThat(completion(jobId).getState()).isEqualTo(JobState.COMPLETED);
        JobStatus status = latestStatus(jobId);
        assertThat(status.getStages()).extracting(StageStatus::getName)
                .containsExactly("download", "normalize", "transcribe");
        assertThat(status.getStages()).extracting(StageStatus::getState).containsOnly(StageState.SUCCEEDED);
        // And the transcript is inline: text, language, segments in milliseconds, from the offline transcriber
        TranscribeAudioOutput transcript = output(jobId, "transcribe", TranscribeAudioOutput.class);
        assertThat(transcript.getTruncated()).isFalse();
        assertThat(transcript.getText()).startsWith("[offline transcriber, no speech recognition]");
        assertThat(transcript.getLanguage()).isEqualTo("en");
        assertThat(transcript.getSegments()).isNotEmpty().hasSize(transcript.getSegmentCount());
        assertThat(transcript.getSegments().get(transcript.getSegments().size() - 1).getEndMs())
                .isEqualTo(transcript.getDurationMs());
        // And its links point at files in the shared artifact store that exist
        assertThat(List.of(transcript.getSubtitlesUri(), transcript.getTranscriptUri())).allSatisfy(link -> {
            assertThat(artifacts.holds(URI.create(link))).as(link).isTrue();
            assertThat(Files.size(Path.of(URI.create(link)))).as(link).isPositive();
        });
        assertThat(Files.readString(Path.of(URI.create(transcript.getSubtitlesUri())))).startsWith("1\n00:00:00,000 --> ");
        // And the normalised audio the transcriber read is mono 16 kHz, stored beside them
        NormalizeAudioOutput normalized = output(jobId, "normalize", NormalizeAudioOutput.class);
        assertThat(normalized.getApplied()).containsExactly("convertToMono", "sampleRate16k");
        byte[] audio = artifacts.read(URI.create(normalized.getAudioUri()));
        assertThat(Wav.format(audio).getFormat().getSampleRate()).isEqualTo(16_000f);
        assertThat(Wav.format(audio).getFormat().getChannels()).isEqualTo(1);
    }

    @Test
    void aUrlTheDownloaderRefusesFailsTheJobAfterOneDownloadAttempt() throws Exception {
        // Given a downloader that answers 404 for the URL
        String url = "https://www.youtube.com/watch?v=missing-" + UUID.randomUUID();
        downloader.stubFor(post("/jobs").withRequestBody(matchingJsonPath("$.url", equalTo(url)))
                .willReturn(aResponse().withStatus(404).withBody("{\"detail\": \"Video not found\"}")));

        // When the pipeline runs for it
        String jobId = trigger(url);

        // Then the job ends FAILED, the download stage failed with source-rejected, and no later stage ran
        JobCompleted completed = completion(jobId);
        assertThat(completed.getState()).isEqualTo(JobState.FAILED);
        List<TaskResult> downloads = results(jobId, "download");
        assertThat(downloads).singleElement().satisfies(result -> {
            assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(result.getAttempt()).isEqualTo(1);
            assertThat(result.getError().getCode()).isEqualTo("source-rejected");
            assertThat(result.getError().getRetryable()).isFalse();
        });
        assertThat(results(jobId, "normalize")).isEmpty();
        // And the downloader was asked once: a 4xx is not retried, by the worker or by the engine
        downloader.verify(1, postRequestedFor(urlEqualTo("/jobs"))
                .withRequestBody(matchingJsonPath("$.url", equalTo(url))));
    }

    @Test
    void aDownloaderThatAnswers503OnceSucceedsOnTheEnginesRetry() throws Exception {
        // Given a downloader that answers 503 to the URL's first submit, then takes it
        String url = "https://www.youtube.com/watch?v=flaky-" + UUID.randomUUID();
        String scenario = "flaky-" + url;
        downloader.stubFor(post("/jobs").withRequestBody(matchingJsonPath("$.url", equalTo(url)))
                .inScenario(scenario).whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withBody("overloaded")).willSetStateTo("up"));
        stubDownloader(url, "flaky", scenario, "up");

        // When the pipeline runs for it
        String jobId = trigger(url);

        // Then the job completes, the download having failed retryable on attempt 1 and succeeded on attempt 2
        assertThat(completion(jobId).getState()).isEqualTo(JobState.COMPLETED);
        List<TaskResult> downloads = results(jobId, "download");
        assertThat(downloads).extracting(TaskResult::getAttempt, TaskResult::getOutcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, ItemOutcome.FAILED),
                        org.assertj.core.groups.Tuple.tuple(2, ItemOutcome.SUCCEEDED));
        assertThat(downloads.get(0).getError().getCode()).isEqualTo("service-unavailable");
        assertThat(downloads.get(0).getError().getRetryable()).isTrue();
        assertThat(output(jobId, "transcribe", TranscribeAudioOutput.class).getSegments()).isNotEmpty();
        downloader.verify(2, postRequestedFor(urlEqualTo("/jobs")).withRequestBody(matchingJsonPath("$.url", equalTo(url))));
    }

    /** The downloader takes the URL as job {@code id}, reports it processing once, then completed with a WAV tone. */
    private static void stubDownloader(String url, String id) {
        stubDownloader(url, id, null, null);
    }

    private static void stubDownloader(String url, String id, String scenario, String state) {
        var submit = post("/jobs").withRequestBody(matchingJsonPath("$.url", equalTo(url)));
        if (scenario != null) {
            submit = submit.inScenario(scenario).whenScenarioStateIs(state);
        }
        String job = id + "-" + Math.abs(url.hashCode());
        downloader.stubFor(submit.willReturn(okJson("{\"job_id\": \"" + job + "\", \"status\": \"queued\"}")));
        downloader.stubFor(get("/jobs/" + job).inScenario("poll-" + job).whenScenarioStateIs(STARTED)
                .willReturn(okJson("{\"job_id\": \"" + job + "\", \"status\": \"processing\", \"progress\": 50}"))
                .willSetStateTo("done"));
        downloader.stubFor(get("/jobs/" + job).inScenario("poll-" + job).whenScenarioStateIs("done")
                .willReturn(okJson("{\"job_id\": \"" + job + "\", \"status\": \"completed\", \"title\": \"A talk\"}")));
        downloader.stubFor(get("/jobs/" + job + "/download").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Disposition", "attachment; filename=\"" + job + ".wav\"")
                .withBody(Wav.tone(44_100, 2, 2_500, 440))));
    }

    /** Triggers a run as the API does (keyed by trigger id), with only the URL given, and returns its job id. */
    private static String trigger(String url) throws Exception {
        String triggerId = "manual:" + UUID.randomUUID();
        String jobId = "transcribe-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline(PIPELINE).setTriggeredAt(Instant.now())
                    .setParameters(Map.of("url", url)).build())).get();
        }
        return jobId;
    }

    /** The job's one completion; fails if there is none or more than one. */
    private static JobCompleted completion(String jobId) {
        List<ConsumerRecord<String, JobCompleted>> completions = kafka.await(Topics.JOB_COMPLETED.name(),
                JobCompleted.class, KafkaTestClient.withKey(jobId), 1, JOB);
        assertThat(completions).as("completions of %s", jobId).hasSize(1);
        return completions.get(0).value();
    }

    private static JobStatus latestStatus(String jobId) {
        return kafka.readAll(Topics.JOB_STATUS.name(), JobStatus.class, JOB).stream()
                .filter(record -> jobId.equals(record.key())).map(ConsumerRecord::value)
                .max(Comparator.comparing(JobStatus::getUpdatedAt)).orElseThrow();
    }

    /** The task results of one stage of the job, in attempt order. */
    private static List<TaskResult> results(String jobId, String stage) {
        return kafka.readAll(Topics.TASK_RESULTS.name(), TaskResult.class, JOB).stream()
                .map(ConsumerRecord::value)
                .filter(result -> jobId.equals(result.getJobId()) && stage.equals(result.getStage()))
                .sorted(Comparator.comparing(TaskResult::getAttempt)).toList();
    }

    /** The decoded output of the stage's succeeded result. */
    private static <T extends SpecificRecord> T output(String jobId, String stage, Class<T> type) {
        TaskResult result = results(jobId, stage).stream()
                .filter(candidate -> candidate.getOutcome() == ItemOutcome.SUCCEEDED).findFirst().orElseThrow();
        ByteBuffer buffer = result.getOutput().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return serdes.deserializer(type).deserialize(TaskHeaders.outputSubject(result.getTaskType()), bytes);
    }
}
