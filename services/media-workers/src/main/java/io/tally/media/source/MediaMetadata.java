package io.tally.media.source;

import io.tally.tasks.media.MediaItem;

/**
 * Where the metadata of sources and videos comes from: {@link YtDlpMetadata} (a yt-dlp executable) or
 * {@link FixtureMetadata} (bundled documents, the offline default). A failure is the SDK's {@code TaskFailedException}
 * with one of the codes below, so a task reports it as it is.
 */
public interface MediaMetadata {

    /** The extractor refused the source URL (no such list, private, not a URL): not retryable. */
    String SOURCE_UNAVAILABLE = "source-unavailable";
    /** The extractor refused the video URL (private, deleted): not retryable by itself. */
    String VIDEO_UNAVAILABLE = "video-unavailable";
    /** The extractor's output is not the JSON it should be: not retryable. */
    String UNREADABLE = "metadata-unreadable";
    /** The extractor took too long: retryable. */
    String TIMEOUT = "metadata-timeout";

    /** The items of a playlist or channel URL. */
    SourceMetadata source(String url);

    /** One video's metadata; a failure with {@link #VIDEO_UNAVAILABLE} for a video that cannot be had. */
    MediaItem video(String url);

    /** The adapter's name for outputs and logs: {@code yt-dlp}, or {@code fixture} for the bundled documents. */
    String adapter();
}
