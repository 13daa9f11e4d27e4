package io.tally.media.source;

import io.tally.tasks.media.MediaItem;

/**
 * Where the metadata of sources and videos comes from: {@link YtDlpMetadata} (a yt-dlp executable) or
 * {@link FixtureMetadata} (bundled documents, the offline default).
 */
public interface MediaMetadata {

    /** The items of a playlist or channel URL. */
    SourceMetadata source(String url);

    /** One video's metadata; {@link MetadataException} with {@code video-unavailable} for a video that cannot be had. */
    MediaItem video(String url);

    /** The adapter's name for outputs and logs: {@code yt-dlp}, or {@code fixture} for the bundled documents. */
    String adapter();
}
