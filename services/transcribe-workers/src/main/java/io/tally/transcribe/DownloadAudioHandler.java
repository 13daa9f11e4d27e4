package io.tally.transcribe;

import io.tally.tasks.transcribe.DownloadAudioInput;
import io.tally.tasks.transcribe.DownloadAudioOutput;
import io.tally.transcribe.download.AudioDownloader;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code download-audio} task (pipelines/transcribe.yml, stage {@code download}): gets the URL's audio through the
 * configured {@link AudioDownloader} and keeps it in the artifact store; the output carries its reference, never the
 * bytes. A cancelled job's task ends SKIPPED.
 */
record DownloadAudioHandler(AudioDownloader downloader, StageArtifacts artifacts)
        implements TaskHandler.Work<DownloadAudioInput, DownloadAudioOutput> {

    static final String TASK_TYPE = "download-audio";

    private static final Logger log = LoggerFactory.getLogger(DownloadAudioHandler.class);

    @Override
    public DownloadAudioOutput run(DownloadAudioInput input, TaskContext context) {
        AudioDownloader.DownloadedAudio audio = downloader.download(input.getUrl(), context);
        if (audio == null) {
            return null;
        }
        String reference = artifacts.put(context, audio.fileName(), audio.bytes());
        log.info("Downloaded {} ({} bytes, {}) for job {}", input.getUrl(), audio.bytes().length, downloader.name(),
                context.jobId());
        return DownloadAudioOutput.newBuilder()
                .setAudioUri(reference)
                .setFileName(audio.fileName())
                .setSizeBytes(audio.bytes().length)
                .setTitle(audio.title())
                .setDurationMs(audio.durationMs())
                .setDownloader(downloader.name())
                .build();
    }
}
