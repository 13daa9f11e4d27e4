package io.tally.transcribe;

import io.tally.tasks.transcribe.TranscribeAudioInput;
import io.tally.tasks.transcribe.TranscribeAudioOutput;
import io.tally.tasks.transcribe.TranscriptSegment;
import io.tally.transcribe.transcription.Transcriber;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code transcribe-audio} task (stage {@code transcribe}): reads the normalised audio from the artifact store,
 * transcribes it with the configured {@link Transcriber}, and writes the whole transcript as JSON and as SubRip
 * subtitles to the store. The output is the job's result: text, language, length and segments inline, with both
 * links; a transcript whose JSON is over {@code tally.transcribe.inline-limit} keeps only a preview of its text inline
 * ({@code truncated: true}, no segments), the rest by reference, so an output never outgrows a Kafka record. A
 * {@code languageOut} other than {@code en} fails at once, before the audio is read.
 */
record TranscribeAudioHandler(Transcriber transcriber, StageArtifacts artifacts, long inlineLimit, int previewChars)
        implements TaskHandler.Work<TranscribeAudioInput, TranscribeAudioOutput> {

    static final String TASK_TYPE = "transcribe-audio";
    static final String TRANSCRIPT_FILE = "transcript.json";
    static final String SUBTITLES_FILE = "transcript.srt";

    private static final Logger log = LoggerFactory.getLogger(TranscribeAudioHandler.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public TranscribeAudioOutput run(TranscribeAudioInput input, TaskContext context) {
        String languageOut = input.getLanguageOut() == null || input.getLanguageOut().isBlank()
                ? null : input.getLanguageOut().strip();
        if (languageOut != null && !Transcriber.ENGLISH.equals(languageOut)) {
            throw new TaskFailedException(Transcriber.LANGUAGE_OUT_UNSUPPORTED, "languageOut '" + languageOut
                    + "' is not supported: only en (a translation) is", false);
        }
        byte[] audio = artifacts.read(input.getAudioUri());
        Transcriber.Transcript transcript = transcriber.transcribe(audio, input.getFileName(), input.getLanguage(),
                languageOut);
        byte[] json = json(transcript);
        String transcriptUri = artifacts.put(context, TRANSCRIPT_FILE, json);
        String subtitlesUri = artifacts.put(context, SUBTITLES_FILE,
                Subtitles.srt(transcript.segments()).getBytes(StandardCharsets.UTF_8));
        boolean truncated = json.length > inlineLimit;
        log.info("Transcribed {} ({} ms, {} segments, {} chars{}, {}) for job {}", input.getFileName(),
                transcript.durationMs(), transcript.segments().size(), transcript.text().length(),
                truncated ? ", inline preview only" : "", transcriber.name(), context.jobId());
        return TranscribeAudioOutput.newBuilder()
                .setText(truncated ? preview(transcript.text()) : transcript.text())
                .setTruncated(truncated)
                .setLanguage(transcript.language())
                .setDurationMs(transcript.durationMs())
                .setSegmentCount(transcript.segments().size())
                .setSegments(truncated ? List.of() : transcript.segments().stream()
                        .map(segment -> new TranscriptSegment(segment.id(), segment.startMs(), segment.endMs(),
                                segment.text())).toList())
                .setSubtitlesUri(subtitlesUri)
                .setTranscriptUri(transcriptUri)
                .setTranscriber(transcriber.name())
                .build();
    }

    private String preview(String text) {
        if (text.length() <= previewChars) {
            return text;
        }
        // Never cut a surrogate pair in half.
        int end = Character.isHighSurrogate(text.charAt(previewChars - 1)) ? previewChars - 1 : previewChars;
        return text.substring(0, end);
    }

    /** The whole transcript as the JSON file behind {@code transcriptUri}. */
    static byte[] json(Transcriber.Transcript transcript) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("text", transcript.text());
        document.put("language", transcript.language());
        document.put("durationMs", transcript.durationMs());
        document.put("segments", transcript.segments());
        return JSON.writeValueAsBytes(document);
    }
}
