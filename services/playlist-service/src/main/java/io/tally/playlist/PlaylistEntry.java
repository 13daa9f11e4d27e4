package io.tally.playlist;

import java.util.List;

/**
 * One track of a playlist: a chart track whose search found a video.
 *
 * @param position chart position, starting at 1
 * @param artists  artist names as the chart lists them
 * @param title    track title without the mix
 * @param mix      mix name, or null
 * @param videoId  YouTube video id
 */
public record PlaylistEntry(int position, List<String> artists, String title, String mix, String videoId) {

    public PlaylistEntry {
        artists = List.copyOf(artists);
    }

    /** "Artist A, Artist B - Title", as playlist files show it. */
    public String displayName() {
        return String.join(", ", artists) + " - " + title;
    }

    /** The video's watch URL. */
    public String videoUrl() {
        return "https://www.youtube.com/watch?v=" + videoId;
    }
}
