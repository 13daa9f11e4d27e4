package io.tally.transcribe.normalize;

import io.tally.worker.TaskContext;
import java.util.List;

/**
 * Cleans audio up for transcription: the {@code normalize-audio} task's adapter. Implementations throw
 * {@link io.tally.worker.TaskFailedException}: non-retryable for audio or options the normaliser refuses, retryable
 * for what may pass.
 */
public interface AudioNormalizer {

    /** @return the normalised audio, or null when the job was cancelled meanwhile */
    NormalizedAudio normalize(byte[] audio, String fileName, Options options, TaskContext context);

    /** The run's options, as the seed's request names them. */
    record Options(boolean removeNoise, boolean convertToMono, boolean highpassFilter, boolean sampleRate16k,
                   boolean isolateVocals) {
    }

    /**
     * @param bytes       the normalised audio file
     * @param fileName    its file name
     * @param applied     the options applied, by field name ({@code convertToMono}, ...)
     * @param normalizer  who did it, in words a person reads in the job's output
     */
    record NormalizedAudio(byte[] bytes, String fileName, List<String> applied, String normalizer) {
    }
}
