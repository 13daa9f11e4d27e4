package io.tally.transcribe.transcription;

import java.util.List;

/**
 * Turns audio into timed text: the {@code transcribe-audio} task's adapter. Implementations throw
 * {@link io.tally.worker.TaskFailedException}: non-retryable for audio, options or a key the API refuses, retryable
 * for what may pass.
 */
public interface Transcriber {

    /** The code of a {@code languageOut} no transcriber here can produce (only {@code en}, a translation). */
    String LANGUAGE_OUT_UNSUPPORTED = "language-out-unsupported";
    /** The one {@code languageOut} supported: English, which the OpenAI API produces as a translation. */
    String ENGLISH = "en";

    /** The adapter's name in outputs and logs. */
    String name();

    /**
     * @param language    the spoken language (ISO-639-1), or {@code auto}
     * @param languageOut {@value #ENGLISH} for an English translation, or null for the spoken language; the task
     *                    refuses any other value before it calls an adapter
     */
    Transcript transcribe(byte[] audio, String fileName, String language, String languageOut);

    /** A transcript: the whole text, its language, the audio's length and the timed segments. */
    record Transcript(String text, String language, long durationMs, List<Segment> segments) {
    }

    /** One timed piece of a transcript, times in milliseconds from the start of the audio. */
    record Segment(int id, long startMs, long endMs, String text) {
    }
}
