package io.tally.transcribe;

import io.tally.tasks.transcribe.NormalizeAudioInput;
import io.tally.tasks.transcribe.NormalizeAudioOutput;
import io.tally.transcribe.normalize.AudioNormalizer;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code normalize-audio} task (stage {@code normalize}): reads the downloaded audio from the artifact store, has
 * the configured {@link AudioNormalizer} clean it up with the run's options, and keeps the result in the store. The
 * output says which options were applied and by whom. A cancelled job's task ends SKIPPED.
 */
record NormalizeAudioHandler(AudioNormalizer normalizer, StageArtifacts artifacts)
        implements TaskHandler.Work<NormalizeAudioInput, NormalizeAudioOutput> {

    static final String TASK_TYPE = "normalize-audio";

    private static final Logger log = LoggerFactory.getLogger(NormalizeAudioHandler.class);

    @Override
    public NormalizeAudioOutput run(NormalizeAudioInput input, TaskContext context) {
        byte[] audio = artifacts.read(input.getAudioUri());
        AudioNormalizer.Options options = new AudioNormalizer.Options(input.getRemoveNoise(), input.getConvertToMono(),
                input.getHighpassFilter(), input.getSampleRate16k(), input.getIsolateVocals());
        AudioNormalizer.NormalizedAudio normalized = normalizer.normalize(audio, input.getFileName(), options, context);
        if (normalized == null) {
            return null;
        }
        String reference = artifacts.put(context, normalized.fileName(), normalized.bytes());
        log.info("Normalised {} ({} -> {} bytes, {}) for job {}", input.getFileName(), audio.length,
                normalized.bytes().length, normalized.applied(), context.jobId());
        return NormalizeAudioOutput.newBuilder()
                .setAudioUri(reference)
                .setFileName(normalized.fileName())
                .setSizeBytes(normalized.bytes().length)
                .setApplied(normalized.applied())
                .setNormalizer(normalized.normalizer())
                .build();
    }
}
