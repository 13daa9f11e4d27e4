package io.tally.transcribe.transcription;

import io.tally.transcribe.TranscribeProperties;
import io.tally.transcribe.http.HttpClients;
import io.tally.transcribe.http.ServiceFailures;
import io.tally.worker.TaskFailedException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenAI-compatible transcription API (OpenAI itself, or a local whisper server that speaks the same protocol):
 * multipart {@code POST /v1/audio/transcriptions} with {@code file}, {@code model}, {@code language} (left out for
 * {@code auto}) and {@code response_format=verbose_json}, with a Bearer key; {@code languageOut=en} uses
 * {@code /v1/audio/translations} instead. The answer {@code {text, language, duration, segments:[{id, start, end,
 * text}]}} (seconds) becomes a transcript in milliseconds. A 4xx (a bad file, a bad key) fails at once with
 * {@value #REJECTED}; 5xx, timeouts and connection errors are retryable. The key is never logged or put in a message.
 */
public final class OpenAiTranscriber implements Transcriber {

    /** The code of a request the API refuses (HTTP 4xx). */
    public static final String REJECTED = "transcription-rejected";

    private final RestClient client;
    private final String model;
    private final JsonMapper json = JsonMapper.builder().build();

    public OpenAiTranscriber(RestClient.Builder builder, TranscribeProperties.Transcriber settings) {
        RestClient.Builder http = HttpClients.withTimeouts(builder, settings.connectTimeout(), settings.readTimeout())
                .baseUrl(settings.baseUrl().toString());
        if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
            http.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + settings.apiKey());
        }
        this.client = http.build();
        this.model = settings.model();
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public Transcript transcribe(byte[] audio, String fileName, String language, String languageOut) {
        String path = languageOut != null ? "/v1/audio/translations" : "/v1/audio/transcriptions";
        MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
        form.add("file", new ByteArrayResource(audio) {
            @Override
            public String getFilename() {
                return fileName;
            }
        });
        form.add("model", model);
        form.add("response_format", "verbose_json");
        boolean detect = language == null || language.isBlank() || "auto".equals(language);
        if (!detect && languageOut == null) {
            form.add("language", language);
        }
        String body;
        try {
            body = client.post().uri(path).contentType(MediaType.MULTIPART_FORM_DATA).body(form).retrieve()
                    .body(String.class);
        } catch (RestClientResponseException e) {
            throw ServiceFailures.of("the transcription API", REJECTED, "POST " + path, e);
        } catch (ResourceAccessException e) {
            throw ServiceFailures.of("the transcription API", "POST " + path, e);
        }
        return read(body, detect ? null : language, languageOut);
    }

    private Transcript read(String body, String language, String languageOut) {
        JsonNode node;
        try {
            node = json.readTree(body == null ? "" : body);
        } catch (RuntimeException e) {
            throw new TaskFailedException(ServiceFailures.UNAVAILABLE, "the transcription API answered something that"
                    + " is not JSON", true, e);
        }
        if (!node.has("text")) {
            throw new TaskFailedException(ServiceFailures.UNAVAILABLE, "the transcription API answered without text",
                    true);
        }
        List<Segment> segments = new ArrayList<>();
        for (JsonNode segment : node.path("segments")) {
            segments.add(new Segment(segment.path("id").asInt(segments.size()), millis(segment.path("start")),
                    millis(segment.path("end")), segment.path("text").asString("").strip()));
        }
        long duration = node.has("duration") ? millis(node.get("duration"))
                : segments.isEmpty() ? 0 : segments.get(segments.size() - 1).endMs();
        String detected = node.path("language").asString("");
        String textLanguage = languageOut != null ? languageOut
                : !detected.isBlank() ? detected : language != null ? language : "unknown";
        return new Transcript(node.get("text").asString().strip(), textLanguage, duration, segments);
    }

    private static long millis(JsonNode seconds) {
        return Math.round(seconds.asDouble(0) * 1000);
    }
}
