package io.tally.transcribe;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** WAV files through {@code javax.sound.sampled}, for the offline adapters: a generated tone, and a file's length. */
public final class Wav {

    private Wav() {
    }

    /**
     * A 16-bit signed little-endian PCM WAV of a sine tone, the same bytes for the same arguments.
     *
     * @param channels every channel carries the tone, the second one at half the amplitude so a mix-down is audible
     */
    public static byte[] tone(int sampleRate, int channels, long millis, double hertz) {
        int frames = (int) (sampleRate * millis / 1000);
        byte[] pcm = new byte[frames * channels * 2];
        for (int frame = 0; frame < frames; frame++) {
            double value = Math.sin(2 * Math.PI * hertz * frame / sampleRate);
            for (int channel = 0; channel < channels; channel++) {
                short sample = (short) Math.round(value * (channel == 0 ? 12_000 : 6_000));
                int at = (frame * channels + channel) * 2;
                pcm[at] = (byte) sample;
                pcm[at + 1] = (byte) (sample >> 8);
            }
        }
        AudioFormat format = new AudioFormat(sampleRate, 16, channels, true, false);
        return write(new AudioInputStream(new ByteArrayInputStream(pcm), format, frames));
    }

    /** The stream as a WAV file. */
    public static byte[] write(AudioInputStream audio) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (audio) {
            AudioSystem.write(audio, AudioFileFormat.Type.WAVE, out);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write WAV", e);
        }
        return out.toByteArray();
    }

    /** The audio's format as javax.sound reads it, or null when it is not a file it can read (webm, mp3, ...). */
    public static AudioFileFormat format(byte[] file) {
        try {
            return AudioSystem.getAudioFileFormat(new ByteArrayInputStream(file));
        } catch (UnsupportedAudioFileException | IOException e) {
            return null;
        }
    }

    /** The length of a WAV (or other format javax.sound reads) in milliseconds, or null when it cannot tell. */
    public static Long durationMs(byte[] file) {
        AudioFileFormat format = format(file);
        if (format == null || format.getFrameLength() == AudioSystem.NOT_SPECIFIED) {
            return null;
        }
        return Math.round(format.getFrameLength() * 1000.0 / format.getFormat().getFrameRate());
    }
}
