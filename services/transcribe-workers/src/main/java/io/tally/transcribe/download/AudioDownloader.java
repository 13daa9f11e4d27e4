package io.tally.transcribe.download;

import io.tally.worker.TaskContext;

/**
 * Gets the audio of a URL: the {@code download-audio} task's adapter. Implementations throw
 * {@link io.tally.worker.TaskFailedException}: non-retryable {@code source-rejected} for a URL the source refuses
 * (4xx), retryable for what may pass.
 */
public interface AudioDownloader {

    /** The adapter's name in outputs and logs. */
    String name();

    /** @return the audio, or null when the job was cancelled meanwhile */
    DownloadedAudio download(String url, TaskContext context);

    /**
     * @param bytes      the audio file as the source gave it
     * @param fileName   its file name
     * @param title      the video's title, or null
     * @param durationMs its length, or null when unknown
     */
    record DownloadedAudio(byte[] bytes, String fileName, String title, Long durationMs) {
    }
}
