package io.tally.tracksearch;

import java.util.Objects;

/**
 * What an adapter found for a track: a video, or nothing.
 *
 * @param videoId    the video id, or null when nothing was found
 * @param videoTitle the (HTML-unescaped) title of the video, or null
 */
public record SearchResult(String videoId, String videoTitle) {

    private static final SearchResult NOT_FOUND = new SearchResult(null, null);

    public static SearchResult found(String videoId, String videoTitle) {
        return new SearchResult(Objects.requireNonNull(videoId, "videoId"), videoTitle);
    }

    public static SearchResult notFound() {
        return NOT_FOUND;
    }

    public boolean isFound() {
        return videoId != null;
    }
}
