package io.tally.transcribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tally.common.artifacts.FileArtifactStore;
import io.tally.tasks.transcribe.TranscribeAudioInput;
import io.tally.tasks.transcribe.TranscribeAudioOutput;
import io.tally.tasks.transcribe.TranscriptSegment;
import io.tally.transcribe.transcription.Transcriber;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The transcribe-audio task: its outputs inline or by reference, and the transcript and subtitle files it writes. */
class TranscribeAudioHandlerTest {

    @TempDir
    Path dir;

    private final FixedTaskContext context = FixedTaskContext.of("job-7", "transcribe", null);

    /** A transcriber that answers {@code count} segments of {@code words} words each. */
    private static Transcriber fixed(int count, int words) {
        return new Transcriber() {
            @Override
            public String name() {
                return "fixed";
            }

            @Override
            public Transcript transcribe(byte[] audio, String fileName, String language, String languageOut) {
                List<Segment> segments = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    segments.add(new Segment(i, i * 1_500L, (i + 1) * 1_500L, ("word" + i + " ").repeat(words).strip()));
                }
                return new Transcript(String.join(" ", segments.stream().map(Segment::text).toList()), "pt",
                        count * 1_500L, segments);
            }
        };
    }

    private TranscribeAudioOutput run(Transcriber transcriber, long inlineLimit) {
        FileArtifactStore store = new FileArtifactStore(dir);
        StageArtifacts artifacts = new StageArtifacts(store);
        String audio = store.put("transcribe/job-7/normalize/audio.wav", new byte[] {1, 2, 3}).toString();
        return new TranscribeAudioHandler(transcriber, artifacts, inlineLimit, 40)
                .run(new TranscribeAudioInput(audio, "audio.wav", "pt", ""), context);
    }

    @Test
    void aSmallTranscriptTravelsInlineWithLinksToItsJsonAndSubtitles() throws Exception {
        // Given a two-segment transcript under the inline limit
        // When the task runs
        TranscribeAudioOutput output = run(fixed(2, 3), 256 * 1024);

        // Then text, language, length and both segments are inline, not truncated
        assertThat(output.getTruncated()).isFalse();
        assertThat(output.getText()).isEqualTo("word0 word0 word0 word1 word1 word1");
        assertThat(output.getLanguage()).isEqualTo("pt");
        assertThat(output.getDurationMs()).isEqualTo(3_000);
        assertThat(output.getSegmentCount()).isEqualTo(2);
        assertThat(output.getSegments()).containsExactly(new TranscriptSegment(0, 0L, 1_500L, "word0 word0 word0"),
                new TranscriptSegment(1, 1_500L, 3_000L, "word1 word1 word1"));
        // And the subtitles are SubRip cues with the segments' times
        assertThat(Files.readString(Path.of(URI.create(output.getSubtitlesUri())))).isEqualTo("""
                1
                00:00:00,000 --> 00:00:01,500
                word0 word0 word0

                2
                00:00:01,500 --> 00:00:03,000
                word1 word1 word1

                """);
        // And the transcript file holds the same text and segments
        JsonNode transcript = JsonMapper.builder().build().readTree(Files.readString(Path.of(URI.create(
                output.getTranscriptUri()))));
        assertThat(transcript.get("text").asString()).isEqualTo(output.getText());
        assertThat(transcript.get("segments")).hasSize(2);
        assertThat(transcript.get("segments").get(1).get("startMs").asLong()).isEqualTo(1_500);
        assertThat(output.getTranscriptUri()).contains("transcribe/job-7/transcribe/transcript.json");
    }

    @Test
    void aTranscriptOverTheInlineLimitKeepsAPreviewInlineAndEverythingByReference() throws Exception {
        // Given a transcript whose JSON is bigger than a 2 KiB inline limit
        // When the task runs
        TranscribeAudioOutput output = run(fixed(50, 20), 2 * 1024);

        // Then the output carries a 40-character preview, no segments, the real count and truncated
        assertThat(output.getTruncated()).isTrue();
        assertThat(output.getText()).hasSize(40).startsWith("word0 word0");
        assertThat(output.getSegments()).isEmpty();
        assertThat(output.getSegmentCount()).isEqualTo(50);
        // And the whole transcript is in the referenced file, bigger than the limit
        byte[] whole = Files.readAllBytes(Path.of(URI.create(output.getTranscriptUri())));
        assertThat(whole.length).isGreaterThan(2 * 1024);
        JsonNode transcript = JsonMapper.builder().build().readTree(new String(whole, StandardCharsets.UTF_8));
        assertThat(transcript.get("segments")).hasSize(50);
        assertThat(transcript.get("text").asString()).startsWith(output.getText());
        assertThat(Files.readString(Path.of(URI.create(output.getSubtitlesUri())))).contains("\n50\n00:01:13,500 --> ");
    }

    @Test
    void anAudioReferenceOutsideTheStoreFailsAtOnce() {
        // Given a reference to a file that is not in the artifact store
        TranscribeAudioHandler handler = new TranscribeAudioHandler(fixed(1, 1),
                new StageArtifacts(new FileArtifactStore(dir.resolve("store"))), 1024, 40);
        TranscribeAudioInput input = new TranscribeAudioInput(dir.resolve("elsewhere.wav").toUri().toString(), "x.wav",
                "auto", null);

        // When the task runs
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class, () -> handler.run(input, context));

        // Then it fails without a retry, naming the setting to check
        assertThat(failure.code()).isEqualTo(StageArtifacts.MISSING);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("tally.artifacts.dir");
    }

    @Test
    void aLanguageOutOtherThanEnglishFailsAtOnceWithoutCallingTheTranscriber() {
        // Given a transcriber that must not be called
        Transcriber untouchable = new Transcriber() {
            @Override
            public String name() {
                return "untouchable";
            }

            @Override
            public Transcript transcribe(byte[] audio, String fileName, String language, String languageOut) {
                throw new AssertionError("called with languageOut " + languageOut);
            }
        };
        TranscribeAudioHandler handler = new TranscribeAudioHandler(untouchable,
                new StageArtifacts(new FileArtifactStore(dir)), 1024, 40);

        // When French text is asked for
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class, () -> handler.run(
                new TranscribeAudioInput("file:///nowhere.wav", "x.wav", "pt", "fr"), context));

        // Then the task fails without a retry, naming the value
        assertThat(failure.code()).isEqualTo(Transcriber.LANGUAGE_OUT_UNSUPPORTED);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("'fr'");
    }
}
