package io.tally.media;

import io.tally.media.history.MediaHistory;
import io.tally.media.source.MediaMetadata;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItem;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.ProcessVideoInput;
import io.tally.tasks.media.ProcessVideoOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Instant;

/**
 * {@code process-video}: the seed's {@code process_video(url)} callback, made real but offline. It fetches the video's
 * metadata through the adapter, normalizes its title and buckets its length, and writes the video DONE to the history
 * (who, when it was taken, the attempt) before it answers. A video the adapter cannot have fails as
 * {@code video-unavailable}: retryable for the SDK, so its retry topics back off and the last delivery lands in
 * {@code tally.dlt.tasks.process-video} (the seed's DLQ, which the SDK answers and {@code DeadLetterHistory} records);
 * the pipeline names the code in {@code notRetried}, so the engine does not start it again. A redriven request that
 * succeeds writes DONE over the dead letter.
 */
final class ProcessVideoHandler implements TaskHandler.Work<ProcessVideoInput, ProcessVideoOutput> {

    static final String TASK_TYPE = "process-video";

    private final MediaMetadata metadata;
    private final MediaHistory history;
    private final String worker;
    private final Clock clock;

    ProcessVideoHandler(MediaMetadata metadata, MediaHistory history, String worker, Clock clock) {
        this.metadata = metadata;
        this.history = history;
        this.worker = worker;
        this.clock = clock;
    }

    @Override
    public ProcessVideoOutput run(ProcessVideoInput input, TaskContext context) {
        Instant claimedAt = clock.instant();
        MediaItem video;
        try {
            video = metadata.video(input.getUrl());
        } catch (TaskFailedException e) {
            // Retryable at the worker whatever the adapter says: the SDK dead-letters only what failed its retries.
            throw new TaskFailedException(e.code(), e.getMessage(), true, e);
        }
        String title = normalize(video.getTitle() != null ? video.getTitle() : input.getTitle());
        Instant processedAt = clock.instant();
        history.write(MediaHistoryEntry.newBuilder().setVideoId(input.getVideoId()).setState(MediaItemState.DONE)
                .setJobId(context.jobId()).setUrl(input.getUrl()).setTitle(title).setWorker(worker)
                .setAttempt(context.attempt()).setClaimedAt(claimedAt).setAt(processedAt).build());
        return ProcessVideoOutput.newBuilder().setVideoId(input.getVideoId()).setTitle(title)
                .setDurationSeconds(video.getDurationSeconds()).setDurationBucket(bucket(video.getDurationSeconds()))
                .setWorker(worker).setProcessedAt(processedAt).build();
    }

    /** Whitespace collapsed and trimmed; a video without a title is named by its id elsewhere, here "untitled". */
    static String normalize(String title) {
        String collapsed = title == null ? "" : title.strip().replaceAll("\\s+", " ");
        return collapsed.isEmpty() ? "untitled" : collapsed;
    }

    /** The seed shows durations; the bucket is YouTube's search filter (under 4 min, 4 to 20, over 20). */
    static String bucket(Long seconds) {
        if (seconds == null) {
            return "unknown";
        }
        return seconds < 240 ? "short" : seconds <= 1200 ? "medium" : "long";
    }
}
