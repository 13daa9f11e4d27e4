package io.tally.transcribe.download;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tally.transcribe.TranscribeProperties;
import io.tally.transcribe.http.ServiceFailures;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.client.RestClient;

/** The video-downloader adapter against a real HTTP server (WireMock) speaking the seed's job protocol. */
class VideoDownloaderAdapterTest {

    static final String URL = "https://www.youtube.com/watch?v=FtnKP8fSSdc";
    static final byte[] AUDIO = {1, 2, 3, 4, 5};

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private VideoDownloaderAdapter adapter;
    private final FixedTaskContext context = FixedTaskContext.of("job-1", "download", null);

    @BeforeEach
    void createAdapter() {
        adapter = adapter(Duration.ofSeconds(2), 5);
    }

    private VideoDownloaderAdapter adapter(Duration readTimeout, int maxPolls) {
        return new VideoDownloaderAdapter(RestClient.builder(), new TranscribeProperties.JobService(
                URI.create(server.baseUrl()), Duration.ofSeconds(1), readTimeout, Duration.ofMillis(20), maxPolls),
                Clock.systemUTC());
    }

    private void stubFinishedJob() {
        server.stubFor(get("/jobs/FtnKP8fSSdc_audio").inScenario("poll").whenScenarioStateIs(STARTED)
                .willReturn(okJson("{\"job_id\": \"FtnKP8fSSdc_audio\", \"status\": \"processing\", \"progress\": 40.0}"))
                .willSetStateTo("done"));
        server.stubFor(get("/jobs/FtnKP8fSSdc_audio").inScenario("poll").whenScenarioStateIs("done")
                .willReturn(okJson("{\"job_id\": \"FtnKP8fSSdc_audio\", \"status\": \"completed\", \"progress\": 100.0,"
                        + " \"title\": \"A talk\", \"duration\": 12.5}")));
        server.stubFor(get("/jobs/FtnKP8fSSdc_audio/download").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "audio/webm")
                .withHeader("Content-Disposition", "attachment; filename=\"FtnKP8fSSdc_audio.webm\"").withBody(AUDIO)));
    }

    @Test
    void submitsPollsUntilCompletedAndDownloadsTheAudioWithItsTitleAndLength() {
        // Given a downloader that takes the job, reports it processing once, then completed
        server.stubFor(post("/jobs").willReturn(okJson("{\"job_id\": \"FtnKP8fSSdc_audio\", \"status\": \"queued\"}")));
        stubFinishedJob();

        // When the URL is downloaded
        AudioDownloader.DownloadedAudio audio = adapter.download(URL, context);

        // Then the bytes, file name, title and length are the service's, and the submit was the seed's request
        assertThat(audio.bytes()).containsExactly(AUDIO);
        assertThat(audio.fileName()).isEqualTo("FtnKP8fSSdc_audio.webm");
        assertThat(audio.title()).isEqualTo("A talk");
        assertThat(audio.durationMs()).isEqualTo(12_500L);
        server.verify(1, postRequestedFor(urlEqualTo("/jobs"))
                .withRequestBody(equalToJson("{\"url\": \"" + URL + "\", \"format\": \"audio\"}")));
        server.verify(2, getRequestedFor(urlEqualTo("/jobs/FtnKP8fSSdc_audio")));
    }

    @Test
    void aServerErrorIsRetryableAndTheNextAttemptSucceeds() {
        // Given a downloader that answers 503 to the first submit and takes the second
        server.stubFor(post("/jobs").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withBody("busy")).willSetStateTo("up"));
        server.stubFor(post("/jobs").inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"job_id\": \"FtnKP8fSSdc_audio\", \"status\": \"queued\"}")));
        stubFinishedJob();

        // When the first attempt runs
        TaskFailedException first = catchThrowableOfType(TaskFailedException.class, () -> adapter.download(URL, context));

        // Then it is retryable with the status in its message, and the attempt the engine retries with succeeds
        assertThat(first.retryable()).isTrue();
        assertThat(first.code()).isEqualTo(ServiceFailures.UNAVAILABLE);
        assertThat(first.getMessage()).contains("HTTP 503").contains("busy");
        assertThat(adapter.download(URL, context).bytes()).containsExactly(AUDIO);
    }

    @Test
    void aClientErrorIsNotRetriedAndSaysSourceRejected() {
        // Given a downloader that refuses the URL
        server.stubFor(post("/jobs").willReturn(aResponse().withStatus(404).withBody("{\"detail\": \"video not found\"}")));

        // When it is downloaded
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class, () -> adapter.download(URL, context));

        // Then the failure is final, with its code and the service's reason, after exactly one request
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.code()).isEqualTo(VideoDownloaderAdapter.REJECTED);
        assertThat(failure.getMessage()).contains("HTTP 404").contains("video not found");
        server.verify(1, postRequestedFor(urlEqualTo("/jobs")));
    }

    @Test
    void aSlowAnswerIsARetryableTimeout() {
        // Given a downloader slower than the read timeout
        server.stubFor(post("/jobs").willReturn(okJson("{\"job_id\": \"x\"}").withFixedDelay(1_500)));
        VideoDownloaderAdapter impatient = adapter(Duration.ofMillis(300), 5);

        // When it is downloaded
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> impatient.download(URL, context));

        // Then the attempt fails retryable with code timeout
        assertThat(failure.code()).isEqualTo(ServiceFailures.TIMEOUT);
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void aJobThatNeverFinishesStopsAtTheLastPollAsATimeout() {
        // Given a job that stays processing
        server.stubFor(post("/jobs").willReturn(okJson("{\"job_id\": \"slow\", \"status\": \"queued\"}")));
        server.stubFor(get("/jobs/slow").willReturn(okJson("{\"job_id\": \"slow\", \"status\": \"processing\"}")));

        // When it is downloaded with three polls allowed
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> adapter(Duration.ofSeconds(2), 3).download(URL, context));

        // Then polling stops after three polls with a retryable timeout
        assertThat(failure.code()).isEqualTo(ServiceFailures.TIMEOUT);
        assertThat(failure.getMessage()).contains("after 3 polls");
        server.verify(3, getRequestedFor(urlEqualTo("/jobs/slow")));
    }

    @Test
    void aJobTheServiceFailedSaysDownloadFailedWithItsReason() {
        // Given a job the downloader gives up on
        server.stubFor(post("/jobs").willReturn(okJson("{\"job_id\": \"gone\", \"status\": \"queued\"}")));
        server.stubFor(get("/jobs/gone").willReturn(okJson("{\"job_id\": \"gone\", \"status\": \"failed\","
                + " \"error\": \"Video unavailable\"}")));

        // When it is downloaded
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class, () -> adapter.download(URL, context));

        // Then the code is the one the download stage lists in notRetried, with the service's reason
        assertThat(failure.code()).isEqualTo(VideoDownloaderAdapter.FAILED);
        assertThat(failure.getMessage()).contains("Video unavailable");
    }
}
