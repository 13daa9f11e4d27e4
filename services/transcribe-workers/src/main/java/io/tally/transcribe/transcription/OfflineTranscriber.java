package io.tally.transcribe.transcription;

import io.tally.transcribe.Wav;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The offline default of {@code transcribe-audio}: no speech recognition. It derives a transcript from the audio
 * itself, one segment per started {@value #SEGMENT_MILLIS} ms of its length (read by javax.sound, else estimated from
 * its size), each naming its time span and the audio's SHA-256 fingerprint, so the same audio always gives the same
 * transcript and every text says it is the offline transcriber's.
 */
public final class OfflineTranscriber implements Transcriber {

    static final long SEGMENT_MILLIS = 2_000;
    /** 16 kHz mono 16-bit, the normalised rate: bytes per millisecond, for audio javax.sound cannot read. */
    private static final long BYTES_PER_MS = 32;

    @Override
    public String name() {
        return "offline";
    }

    @Override
    public Transcript transcribe(byte[] audio, String fileName, String language, String languageOut) {
        Long measured = Wav.durationMs(audio);
        long duration = Math.max(1, measured != null ? measured : audio.length / BYTES_PER_MS);
        String fingerprint = sha256(audio).substring(0, 12);
        String spoken = language == null || language.isBlank() || "auto".equals(language) ? "en" : language;
        String textLanguage = languageOut != null ? languageOut : spoken;
        List<Segment> segments = new ArrayList<>();
        for (long start = 0; start < duration; start += SEGMENT_MILLIS) {
            long end = Math.min(duration, start + SEGMENT_MILLIS);
            segments.add(new Segment(segments.size(), start, end, "[offline transcriber, no speech recognition] %s"
                    .formatted(fileName) + " %s-%s, audio %s.".formatted(seconds(start), seconds(end), fingerprint)));
        }
        StringBuilder text = new StringBuilder();
        for (Segment segment : segments) {
            text.append(text.isEmpty() ? "" : " ").append(segment.text());
        }
        return new Transcript(text.toString(), textLanguage, duration, segments);
    }

    private static String seconds(long millis) {
        return "%d.%03ds".formatted(millis / 1000, millis % 1000);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
