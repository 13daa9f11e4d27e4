package io.tally.transcribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tally.transcribe.download.AudioDownloader;
import io.tally.transcribe.download.OfflineAudioDownloader;
import io.tally.transcribe.normalize.AudioNormalizer;
import io.tally.transcribe.normalize.OfflineAudioNormalizer;
import io.tally.transcribe.transcription.OfflineTranscriber;
import io.tally.transcribe.transcription.Transcriber;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.nio.charset.StandardCharsets;
import javax.sound.sampled.AudioFormat;
import org.junit.jupiter.api.Test;

/** The offline adapters: deterministic, honest about being offline, and a real conversion in between. */
class OfflineAdaptersTest {

    static final String URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    static final AudioNormalizer.Options SEED_DEFAULTS = new AudioNormalizer.Options(true, true, false, true, false);

    private final FixedTaskContext context = FixedTaskContext.of("job-1", "download", null);
    private final OfflineAudioDownloader downloader = new OfflineAudioDownloader();
    private final OfflineAudioNormalizer normalizer = new OfflineAudioNormalizer();
    private final OfflineTranscriber transcriber = new OfflineTranscriber();

    @Test
    void theSameUrlGivesTheSameToneAndAnotherUrlAnotherOne() {
        // Given two downloads of one URL and one of another
        AudioDownloader.DownloadedAudio first = downloader.download(URL, context);
        AudioDownloader.DownloadedAudio again = downloader.download(URL, context);
        AudioDownloader.DownloadedAudio other = downloader.download(URL + "x", context);

        // Then the same URL gives the same bytes, a stereo 44.1 kHz WAV of 2-5 s that says it is offline
        assertThat(again.bytes()).isEqualTo(first.bytes());
        assertThat(other.bytes()).isNotEqualTo(first.bytes());
        AudioFormat format = Wav.format(first.bytes()).getFormat();
        assertThat(format.getChannels()).isEqualTo(2);
        assertThat(format.getSampleRate()).isEqualTo(44_100f);
        assertThat(first.durationMs()).isBetween(2_000L, 5_000L);
        assertThat(first.title()).contains("offline downloader fetched nothing").contains(URL);
    }

    @Test
    void normalisesToMono16kHzWhenAskedAndSaysItIsTheOfflineNormaliser() {
        // Given a downloaded tone
        byte[] source = downloader.download(URL, context).bytes();

        // When it is normalised with the seed's defaults (mono, 16 kHz, noise removal)
        AudioNormalizer.NormalizedAudio normalized = normalizer.normalize(source, "tone.wav", SEED_DEFAULTS, context);

        // Then it is a mono 16 kHz WAV of the same length, noise removal is not claimed, and it says what did it
        AudioFormat format = Wav.format(normalized.bytes()).getFormat();
        assertThat(format.getChannels()).isEqualTo(1);
        assertThat(format.getSampleRate()).isEqualTo(16_000f);
        assertThat(Wav.durationMs(normalized.bytes())).isCloseTo(Wav.durationMs(source), org.assertj.core.data.Offset.offset(5L));
        assertThat(normalized.applied()).containsExactly("convertToMono", "sampleRate16k");
        assertThat(normalized.normalizer()).startsWith("offline normaliser").contains("44100 Hz 2 ch -> 16000 Hz 1 ch");
        assertThat(normalized.fileName()).isEqualTo("tone_normalized.wav");
        // And the same input gives the same bytes
        assertThat(normalizer.normalize(source, "tone.wav", SEED_DEFAULTS, context).bytes()).isEqualTo(normalized.bytes());
    }

    @Test
    void keepsChannelsAndRateWhenNeitherIsAsked() {
        // Given a downloaded tone and options that ask for neither mono nor 16 kHz
        byte[] source = downloader.download(URL, context).bytes();
        AudioNormalizer.Options keep = new AudioNormalizer.Options(false, false, true, false, true);

        // When it is normalised
        AudioNormalizer.NormalizedAudio normalized = normalizer.normalize(source, "tone.wav", keep, context);

        // Then the format is unchanged and nothing is claimed as applied
        AudioFormat format = Wav.format(normalized.bytes()).getFormat();
        assertThat(format.getChannels()).isEqualTo(2);
        assertThat(format.getSampleRate()).isEqualTo(44_100f);
        assertThat(normalized.applied()).isEmpty();
    }

    @Test
    void refusesAudioItCannotReadWithoutRetrying() {
        // Given bytes that are no WAV (a real downloader's webm, say)
        byte[] webm = "\u001aE\u00df\u00a3 not really webm".getBytes(StandardCharsets.ISO_8859_1);

        // When they are normalised
        TaskFailedException failure = catchThrowableOfType(TaskFailedException.class,
                () -> normalizer.normalize(webm, "video.webm", SEED_DEFAULTS, context));

        // Then the failure is final and says what to do
        assertThat(failure.code()).isEqualTo(OfflineAudioNormalizer.UNSUPPORTED);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("video.webm").contains("real normaliser");
    }

    @Test
    void theSameUrlGivesTheSameTranscriptThroughTheWholeOfflineChain() {
        // Given the offline chain run twice for one URL and once for another
        Transcriber.Transcript first = chain(URL);
        Transcriber.Transcript again = chain(URL);
        Transcriber.Transcript other = chain(URL + "x");

        // Then one URL gives one transcript, another URL another, and the text says it is the offline transcriber's
        assertThat(again).isEqualTo(first);
        assertThat(other.text()).isNotEqualTo(first.text());
        assertThat(first.text()).startsWith("[offline transcriber, no speech recognition]");
        assertThat(first.language()).isEqualTo("en");
        // And its segments cover the audio in 2 s steps, without gaps
        assertThat(first.segments()).isNotEmpty();
        assertThat(first.segments().get(0).startMs()).isZero();
        assertThat(first.segments().get(first.segments().size() - 1).endMs()).isEqualTo(first.durationMs());
        for (int i = 1; i < first.segments().size(); i++) {
            assertThat(first.segments().get(i).startMs()).isEqualTo(first.segments().get(i - 1).endMs());
        }
    }

    private Transcriber.Transcript chain(String url) {
        AudioDownloader.DownloadedAudio audio = downloader.download(url, context);
        AudioNormalizer.NormalizedAudio normalized = normalizer.normalize(audio.bytes(), audio.fileName(), SEED_DEFAULTS,
                context);
        return transcriber.transcribe(normalized.bytes(), normalized.fileName(), "auto", null);
    }
}
