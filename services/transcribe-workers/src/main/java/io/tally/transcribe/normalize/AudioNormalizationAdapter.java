package io.tally.transcribe.normalize;

import io.tally.transcribe.TranscribeProperties;
import io.tally.transcribe.http.AsyncJobClient;
import io.tally.worker.TaskContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

/**
 * The seed's audio-normalization service: a multipart {@code POST /jobs} with the audio ({@code file}) and the options
 * as form fields in the seed's names ({@code remove_noise}, {@code convert_to_mono}, {@code apply_highpass_filter},
 * {@code set_sample_rate_16k}, {@code isolate_vocals}), then {@code GET /jobs/{id}} until it is completed, then
 * {@code GET /jobs/{id}/download}. A 4xx fails at once with {@value #REJECTED}; a job the service reports failed is
 * {@value #FAILED} (retryable: a normaliser crash may pass). The options it was sent count as applied.
 */
public final class AudioNormalizationAdapter implements AudioNormalizer {

    /** The code of audio or options the normaliser refuses (HTTP 4xx). */
    public static final String REJECTED = "normalization-rejected";
    /** The code of a normalisation job the service reports failed. */
    public static final String FAILED = "normalization-failed";

    private final AsyncJobClient jobs;

    public AudioNormalizationAdapter(RestClient.Builder builder, TranscribeProperties.JobService settings, Clock clock) {
        this.jobs = new AsyncJobClient(builder, settings, "audio-normalization", REJECTED, FAILED, clock);
    }

    @Override
    public NormalizedAudio normalize(byte[] audio, String fileName, Options options, TaskContext context) {
        MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
        form.add("file", new ByteArrayResource(audio) {
            @Override
            public String getFilename() {
                return fileName;
            }
        });
        form.add("remove_noise", Boolean.toString(options.removeNoise()));
        form.add("convert_to_mono", Boolean.toString(options.convertToMono()));
        form.add("apply_highpass_filter", Boolean.toString(options.highpassFilter()));
        form.add("set_sample_rate_16k", Boolean.toString(options.sampleRate16k()));
        form.add("isolate_vocals", Boolean.toString(options.isolateVocals()));
        AsyncJobClient.Download download = jobs.run(client -> client.post().uri("/jobs")
                .contentType(MediaType.MULTIPART_FORM_DATA).body(form).retrieve(), context);
        if (download == null) {
            return null;
        }
        return new NormalizedAudio(download.bytes(), download.fileName(), applied(options), "audio-normalization");
    }

    private static List<String> applied(Options options) {
        List<String> applied = new ArrayList<>();
        if (options.removeNoise()) {
            applied.add("removeNoise");
        }
        if (options.convertToMono()) {
            applied.add("convertToMono");
        }
        if (options.highpassFilter()) {
            applied.add("highpassFilter");
        }
        if (options.sampleRate16k()) {
            applied.add("sampleRate16k");
        }
        if (options.isolateVocals()) {
            applied.add("isolateVocals");
        }
        return applied;
    }
}
