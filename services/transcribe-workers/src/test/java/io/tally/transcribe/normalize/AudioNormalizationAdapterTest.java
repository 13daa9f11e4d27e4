package io.tally.transcribe.normalize;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.client.RestClient;

/** The audio-normalization adapter against a real HTTP server (WireMock): multipart upload, polling, download. */
class AudioNormalizationAdapterTest {

    static final byte[] AUDIO = {9, 8, 7};
    static final byte[] NORMALIZED = {1, 1, 2, 3, 5};
    static final AudioNormalizer.Options OPTIONS = new AudioNormalizer.Options(true, true, false, true, false);

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private final FixedTaskContext context = FixedTaskContext.of("job-1", "normalize", null);

    private AudioNormalizationAdapter adapter(Duration readTimeout) {
        return new AudioNormalizationAdapter(RestClient.builder(), new TranscribeProperties.JobService(
                URI.create(server.baseUrl()), Duration.ofSeconds(1), readTimeout, Duration.ofMillis(20), 5),
                Clock.systemUTC());
    }

    private void stubFinishedJob() {
        server.stubFor(get("/jobs/norm_a1").willReturn(okJson("{\"job_id\": \"norm_a1\", \"status\": \"completed\","
                + " \"filename\": \"audio_normalized.webm\"}")));
        server.stubFor(get("/jobs/norm_a1/download").willReturn(aResponse().withStatus(200).withBody(NORMALIZED)));
    }

    @Test
    void uploadsTheAudioWithTheSeedsOptionNamesAndDownloadsTheResult() {
        // Given a normaliser that takes a job and finishes it
        server.stubFor(post("/jobs").willReturn(okJson("{\"job_id\": \"norm_a1\", \"status\": \"queued\"}")));
        stubFinishedJob();

        // When audio is normalised with noise removal, mono and 16 kHz
        AudioNormalizer.NormalizedAudio result = adapter(Duration.ofSeconds(2))
                .normalize(AUDIO, "FtnKP8fSSdc_audio.webm", OPTIONS, context);

        // Then the result is the service's file, named as its status said, with the options sent as applied
        assertThat(result.bytes()).containsExactly(NORMALIZED);
        assertThat(result.fileName()).isEqualTo("audio_normalized.webm");
        assertThat(result.applied()).containsExactly("removeNoise", "convertToMono", "sampleRate16k");
        assertThat(result.normalizer()).isEqualTo("audio-normalization");
        // And the upload carried the file and every option under the seed's names
        server.verify(1, postRequestedFor(urlEqualTo("/jobs"))
                .withRequestBodyPart(aMultipart("file").withBody(binaryEqualTo(AUDIO)).build())
                .withRequestBodyPart(aMultipart("remove_noise").withBody(equalTo("true")).build())
                .withRequestBodyPart(aMultipart("convert_to_mono").withBody(equalTo("true")).build())
                .withRequestBodyPart(aMultipart("apply_highpass_filter").withBody(equalTo("false")).build())
                .withRequestBodyPart(aMultipart("set_sample_rate_16k").withBody(equalTo("true")).build())
                .withRequestBodyPart(aMultipart("isolate_vocals").withBody(equalTo("false")).build()));
    }

    @Test
    void aServerErrorIsRetryableAndTheNextAttemptSucceeds() {
        // Given a normaliser that fails the first upload with 500
        server.stubFor(post("/jobs").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        server.stubFor(post("/jobs").inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"job_id\": \"norm_a1\"}")));
        stubFinishedJob();
        AudioNormalizationAdapter adapter = adapter(Duration.ofSeconds(2));

        // When the first attempt runs, then the engine's retry
        TaskFailedException first = catchThrowableOfType(TaskFailedException.class,
                () -> adapter.normalize(AUDIO, "a.webm", OPTIONS, context));

        // Then the first is retryable and the retry gets the normalised audio
        assertThat(first.retryable()).isTrue();
        assertThat(first.code()).isEqualTo(ServiceFailures.UNAVAILABLE);
        assertThat(adapter.normalize(AUDIO, "a.webm", OPTIONS, context).bytes()).containsExactly(NORMALIZED);
    }

    @Test
    void aClientErrorIsNotRetriedAndSaysNormalizationRejected() {
        // Given a normaliser that refuses the file
        server.stubFor(post("/jobs").willReturn(aResponse().withStatus(415).withBody("unsupported media")));

        // When audio is normalised
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> adapter(Duration.ofSeconds(2)).normalize(AUDIO, "a.xyz", OPTIONS, context));

        // Then the failure is final with its code, after one request
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.code()).isEqualTo(AudioNormalizationAdapter.REJECTED);
        assertThat(failure.getMessage()).contains("HTTP 415");
        server.verify(1, postRequestedFor(urlEqualTo("/jobs")));
    }

    @Test
    void aSlowUploadIsARetryableTimeout() {
        // Given a normaliser slower than the read timeout
        server.stubFor(post("/jobs").willReturn(okJson("{\"job_id\": \"norm_a1\"}").withFixedDelay(1_500)));

        // When audio is normalised
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> adapter(Duration.ofMillis(300)).normalize(AUDIO, "a.webm", OPTIONS, context));

        // Then the attempt fails retryable with code timeout
        assertThat(failure.code()).isEqualTo(ServiceFailures.TIMEOUT);
        assertThat(failure.retryable()).isTrue();
    }
}
