package io.tally.transcribe;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The transcribe workers' settings, bound from {@code tally.transcribe.*}: which adapter each stage calls, the HTTP
 * services' addresses, timeouts and polling, and how much of a transcript travels inline. Retries are the engine's
 * (the stages' {@code retry} blocks in pipelines/transcribe.yml); the worker SDK's own are off in
 * {@code transcribe-workers.yml}. Every key is in the module's README.
 *
 * @param download     the {@code download-audio} task's adapter
 * @param normalize    the {@code normalize-audio} task's adapter
 * @param transcriber  the {@code transcribe-audio} task's adapter
 * @param inlineLimit  a transcript whose JSON is bigger than this travels by reference only: the output carries a
 *                     preview of its text, no segments, and {@code truncated: true}
 * @param previewChars how many characters of the text a truncated output keeps
 */
@Validated
@ConfigurationProperties("tally.transcribe")
public record TranscribeProperties(
        @Valid @NotNull @DefaultValue Download download,
        @Valid @NotNull @DefaultValue Normalize normalize,
        @Valid @NotNull @DefaultValue Transcriber transcriber,
        @NotNull @DefaultValue("256KB") DataSize inlineLimit,
        @Min(1) @DefaultValue("2000") int previewChars) {

    /** Where a stage's work is done: a generated or computed answer on this machine, or the real service. */
    public enum AdapterKind { OFFLINE, HTTP }

    /** The transcriber: the deterministic offline one, or an OpenAI-compatible transcription API. */
    public enum TranscriberKind { OFFLINE, OPENAI }

    /**
     * @param adapter   {@code offline} (a deterministic tone per URL) or {@code http} (the video-downloader service)
     * @param service   the video-downloader service
     */
    public record Download(
            @NotNull @DefaultValue("offline") AdapterKind adapter,
            @Valid @NotNull @DefaultValue JobService service) {
    }

    /**
     * @param adapter   {@code offline} (javax.sound.sampled on this machine) or {@code http} (the audio-normalization
     *                  service)
     * @param service   the audio-normalization service
     */
    public record Normalize(
            @NotNull @DefaultValue("offline") AdapterKind adapter,
            @Valid @NotNull @DefaultValue JobService service) {
    }

    /**
     * An asynchronous job service of the seed's shape: {@code POST /jobs}, {@code GET /jobs/{id}} until completed or
     * failed, {@code GET /jobs/{id}/download}.
     *
     * @param baseUrl          the service's root URL (transcribe-workers.yml: :8001 for the downloader, :8002 for the
     *                         normaliser, the seed's ports)
     * @param connectTimeout   TCP connect timeout of each call
     * @param readTimeout      response timeout of each call (a submit that uploads audio included)
     * @param pollInterval     the wait between two status polls
     * @param maxPollAttempts  status polls before the attempt gives up (retryable, code {@code timeout}); the stage's
     *                         timeout ends polling too
     */
    public record JobService(
            @NotNull URI baseUrl,
            @NotNull @DefaultValue("5s") Duration connectTimeout,
            @NotNull @DefaultValue("60s") Duration readTimeout,
            @NotNull @DefaultValue("3s") Duration pollInterval,
            @Min(1) @DefaultValue("600") int maxPollAttempts) {
    }

    /**
     * @param adapter        {@code offline} (a transcript derived from the audio, no speech recognition) or
     *                       {@code openai} (an OpenAI-compatible {@code POST /v1/audio/transcriptions})
     * @param baseUrl        the API root, without {@code /v1} (OpenAI's, or a local whisper server's)
     * @param apiKey         the Bearer key; a local server may take any, OpenAI needs a real one (a secret: never logged)
     * @param model          the model parameter ({@code whisper-1} at OpenAI; a local server names its own)
     * @param connectTimeout TCP connect timeout
     * @param readTimeout    how long the one synchronous call may take; below the stage's 10 minutes so the worker
     *                       answers first with its own code
     */
    public record Transcriber(
            @NotNull @DefaultValue("offline") TranscriberKind adapter,
            @NotNull @DefaultValue("https://api.openai.com") URI baseUrl,
            @DefaultValue("") String apiKey,
            @NotBlank @DefaultValue("whisper-1") String model,
            @NotNull @DefaultValue("5s") Duration connectTimeout,
            @NotNull @DefaultValue("9m") Duration readTimeout) {
    }
}
