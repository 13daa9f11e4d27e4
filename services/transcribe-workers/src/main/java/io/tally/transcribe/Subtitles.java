package io.tally.transcribe;

import io.tally.transcribe.transcription.Transcriber.Segment;
import java.util.List;

/** A transcript's segments as SubRip ({@code .srt}) subtitles: numbered cues, {@code HH:MM:SS,mmm} times. */
final class Subtitles {

    private Subtitles() {
    }

    static String srt(List<Segment> segments) {
        StringBuilder srt = new StringBuilder();
        int cue = 1;
        for (Segment segment : segments) {
            srt.append(cue++).append('\n')
                    .append(time(segment.startMs())).append(" --> ").append(time(segment.endMs())).append('\n')
                    // A blank line ends a cue, so a text's own line breaks must not leave one.
                    .append(segment.text().strip().replaceAll("\\R\\s*\\R", "\n")).append("\n\n");
        }
        return srt.toString();
    }

    static String time(long millis) {
        return "%02d:%02d:%02d,%03d".formatted(millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60,
                millis % 1000);
    }
}
