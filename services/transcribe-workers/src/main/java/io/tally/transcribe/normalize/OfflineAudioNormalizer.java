package io.tally.transcribe.normalize;

import io.tally.transcribe.Wav;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * The offline default of {@code normalize-audio}: a real, deterministic conversion with {@code javax.sound.sampled}
 * (the JDK's PCM converters) to 16-bit PCM WAV, honouring {@code convertToMono} and {@code sampleRate16k}. It does not
 * remove noise, filter or isolate vocals: those options are left out of {@code applied}, and its description says so.
 * Known gap: it reads only what javax.sound reads (WAV, AIFF, AU), so a real downloader's webm fails it
 * ({@value #UNSUPPORTED}, not retried); run the real normaliser with a real downloader.
 */
public final class OfflineAudioNormalizer implements AudioNormalizer {

    /** The code of audio this normaliser cannot read. */
    public static final String UNSUPPORTED = "unsupported-audio";
    static final float SPEECH_RATE = 16_000f;

    @Override
    public NormalizedAudio normalize(byte[] audio, String fileName, Options options, TaskContext context) {
        try (AudioInputStream source = AudioSystem.getAudioInputStream(new ByteArrayInputStream(audio))) {
            AudioFormat in = source.getFormat();
            List<String> applied = new ArrayList<>();
            AudioInputStream pcm = AudioSystem.getAudioInputStream(new AudioFormat(in.getSampleRate(), 16,
                    in.getChannels(), true, false), source);
            if (options.convertToMono() && in.getChannels() > 1) {
                pcm = AudioSystem.getAudioInputStream(new AudioFormat(in.getSampleRate(), 16, 1, true, false), pcm);
            }
            if (options.convertToMono()) {
                applied.add("convertToMono");
            }
            if (options.sampleRate16k() && in.getSampleRate() != SPEECH_RATE) {
                pcm = AudioSystem.getAudioInputStream(new AudioFormat(SPEECH_RATE, 16, pcm.getFormat().getChannels(),
                        true, false), pcm);
            }
            if (options.sampleRate16k()) {
                applied.add("sampleRate16k");
            }
            // A resampled stream does not know its length, which the WAV writer needs: read it out first.
            byte[] samples = pcm.readAllBytes();
            AudioFormat out = pcm.getFormat();
            byte[] wav = Wav.write(new AudioInputStream(new ByteArrayInputStream(samples), out,
                    samples.length / out.getFrameSize()));
            String description = "offline normaliser (javax.sound.sampled): %s Hz %d ch -> %s Hz %d ch, 16-bit PCM WAV;"
                    .formatted(rate(in.getSampleRate()), in.getChannels(), rate(out.getSampleRate()), out.getChannels())
                    + " noise removal, high-pass and vocal isolation are not done offline";
            return new NormalizedAudio(wav, baseName(fileName) + "_normalized.wav", applied, description);
        } catch (UnsupportedAudioFileException | IllegalArgumentException e) {
            throw new TaskFailedException(UNSUPPORTED, "the offline normaliser cannot read %s (%s); it reads WAV, AIFF"
                    .formatted(fileName, e.getMessage()) + " and AU only, so use the real normaliser with a real download",
                    false);
        } catch (IOException e) {
            throw new TaskFailedException(UNSUPPORTED, "could not read " + fileName + ": " + e.getMessage(), false, e);
        }
    }

    private static String rate(float hertz) {
        return hertz == Math.rint(hertz) ? Long.toString((long) hertz) : Float.toString(hertz);
    }

    static String baseName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
