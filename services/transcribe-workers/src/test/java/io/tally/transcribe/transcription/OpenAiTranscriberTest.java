package io.tally.transcribe.transcription;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
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
import io.tally.worker.TaskFailedException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.client.RestClient;

/** The OpenAI-compatible transcriber against a real HTTP server (WireMock) answering as the API does. */
class OpenAiTranscriberTest {

    static final byte[] AUDIO = {4, 2};
    static final String KEY = "sk-test-not-a-real-key";
    static final String VERBOSE_JSON = """
            {"task": "transcribe", "language": "portuguese", "duration": 5.0,
             "text": " Este é o primeiro segmento Este é o segundo segmento",
             "segments": [
               {"id": 0, "seek": 0, "start": 0.0, "end": 2.5, "text": " Este é o primeiro segmento"},
               {"id": 1, "seek": 0, "start": 2.5, "end": 5.0, "text": " Este é o segundo segmento"}]}""";

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private OpenAiTranscriber transcriber(Duration readTimeout) {
        return new OpenAiTranscriber(RestClient.builder(), new TranscribeProperties.Transcriber(
                TranscribeProperties.TranscriberKind.OPENAI, URI.create(server.baseUrl()), KEY, "whisper-1",
                Duration.ofSeconds(1), readTimeout));
    }

    @Test
    void sendsTheAudioAsVerboseJsonWithTheKeyAndReadsSegmentsInMilliseconds() {
        // Given the API answers a verbose_json transcript
        server.stubFor(post("/v1/audio/transcriptions").willReturn(okJson(VERBOSE_JSON)));

        // When Portuguese audio is transcribed
        Transcriber.Transcript transcript = transcriber(Duration.ofSeconds(2)).transcribe(AUDIO, "audio.wav", "pt", null);

        // Then text, language, length and segments are read, times as whole milliseconds
        assertThat(transcript.text()).isEqualTo("Este é o primeiro segmento Este é o segundo segmento");
        assertThat(transcript.language()).isEqualTo("portuguese");
        assertThat(transcript.durationMs()).isEqualTo(5_000);
        assertThat(transcript.segments()).containsExactly(
                new Transcriber.Segment(0, 0, 2_500, "Este é o primeiro segmento"),
                new Transcriber.Segment(1, 2_500, 5_000, "Este é o segundo segmento"));
        // And the request was the API's: Bearer key, file, model, language, verbose_json
        server.verify(1, postRequestedFor(urlEqualTo("/v1/audio/transcriptions"))
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("Content-Type", containing("multipart/form-data"))
                .withRequestBodyPart(aMultipart("file").withBody(binaryEqualTo(AUDIO)).build())
                .withRequestBodyPart(aMultipart("model").withBody(equalTo("whisper-1")).build())
                .withRequestBodyPart(aMultipart("language").withBody(equalTo("pt")).build())
                .withRequestBodyPart(aMultipart("response_format").withBody(equalTo("verbose_json")).build()));
    }

    @Test
    void leavesTheLanguageOutForAutoAndTranslatesForEnglishOut() {
        // Given both endpoints answer
        server.stubFor(post("/v1/audio/transcriptions").willReturn(okJson(VERBOSE_JSON)));
        server.stubFor(post("/v1/audio/translations").willReturn(okJson("{\"text\": \"This is the first\","
                + " \"duration\": 2.5, \"segments\": []}")));
        OpenAiTranscriber transcriber = transcriber(Duration.ofSeconds(2));

        // When audio is transcribed with auto, and translated to English
        transcriber.transcribe(AUDIO, "audio.wav", "auto", null);
        Transcriber.Transcript english = transcriber.transcribe(AUDIO, "audio.wav", "pt", "en");

        // Then auto sends no language field, and the translation is English text
        assertThat(server.findAll(postRequestedFor(urlEqualTo("/v1/audio/transcriptions"))).get(0).getBodyAsString())
                .doesNotContain("name=\"language\"");
        assertThat(english.language()).isEqualTo("en");
        assertThat(english.text()).isEqualTo("This is the first");
    }

    @Test
    void aServerErrorIsRetryableAndTheNextAttemptSucceeds() {
        // Given an API that answers 502 once
        server.stubFor(post("/v1/audio/transcriptions").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("up"));
        server.stubFor(post("/v1/audio/transcriptions").inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson(VERBOSE_JSON)));
        OpenAiTranscriber transcriber = transcriber(Duration.ofSeconds(2));

        // When the first attempt runs, then the engine's retry
        TaskFailedException first = catchThrowableOfType(TaskFailedException.class,
                () -> transcriber.transcribe(AUDIO, "audio.wav", "pt", null));

        // Then the first is retryable and the retry transcribes
        assertThat(first.retryable()).isTrue();
        assertThat(first.code()).isEqualTo(ServiceFailures.UNAVAILABLE);
        assertThat(transcriber.transcribe(AUDIO, "audio.wav", "pt", null).segments()).hasSize(2);
    }

    @Test
    void aRefusedKeyIsNotRetriedAndNeverShowsTheKey() {
        // Given an API that refuses the key
        server.stubFor(post("/v1/audio/transcriptions").willReturn(aResponse().withStatus(401)
                .withBody("{\"error\": {\"message\": \"Incorrect API key provided\"}}")));

        // When audio is transcribed
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> transcriber(Duration.ofSeconds(2)).transcribe(AUDIO, "audio.wav", "pt", null));

        // Then the failure is final with its code and the API's reason, not the key, after one request
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.code()).isEqualTo(OpenAiTranscriber.REJECTED);
        assertThat(failure.getMessage()).contains("HTTP 401").contains("Incorrect API key").doesNotContain(KEY);
        server.verify(1, postRequestedFor(urlEqualTo("/v1/audio/transcriptions")));
    }

    @Test
    void aSlowAnswerIsARetryableTimeout() {
        // Given an API slower than the read timeout
        server.stubFor(post("/v1/audio/transcriptions").willReturn(okJson(VERBOSE_JSON).withFixedDelay(1_500)));

        // When audio is transcribed
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> transcriber(Duration.ofMillis(300)).transcribe(AUDIO, "audio.wav", "pt", null));

        // Then the attempt fails retryable with code timeout
        assertThat(failure.code()).isEqualTo(ServiceFailures.TIMEOUT);
        assertThat(failure.retryable()).isTrue();
    }
}
