package io.tally.chartscraper.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.common.errors.PoisonRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Beatport page parser against the stored page fixture (real __NEXT_DATA__ structure, 12 real tracks). */
public class BeatportPageParserTest {

    /** A stored page from src/test/resources/beatport. */
    public static String fixture(String name) throws IOException {
        try (InputStream in = BeatportPageParserTest.class.getResourceAsStream("/beatport/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryTrackInChartOrderWithPositionsFromTheResultsIndex() throws IOException {
        // When the fixture page is parsed
        List<ScrapedTrack> tracks = BeatportPageParser.parse(fixture("top-100.html"));
        // Then all 12 entries come back, numbered 1..12, with the first one complete
        assertThat(tracks).hasSize(12);
        assertThat(tracks).extracting(ScrapedTrack::position).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(tracks.get(0)).isEqualTo(new ScrapedTrack(1, List.of("Three Drives", "Three Drives On A Vinyl", "Max Styler"),
                "Greece 2000", "Max Styler Extended Rework", "Armada Music", "Trance (Main Floor)", 129, "23011269"));
    }

    @Test
    void decodesEscapedAmpersandsAndKeepsUnicodeAndTrailingSpaces() throws IOException {
        // When the fixture page is parsed
        List<ScrapedTrack> tracks = BeatportPageParser.parse(fixture("top-100.html"));
        // Then \u0026 is read as '&', accented names are intact, and names are verbatim
        assertThat(tracks.get(3).artists()).containsExactly("Walker & Royce", "VNSSA");
        assertThat(tracks.get(3).title()).isEqualTo("Activate ");
        assertThat(tracks.get(2).genre()).isEqualTo("Melodic House & Techno");
        assertThat(tracks.get(4).artists()).containsExactly("Nick Curly", "Joëlla Jackson");
        assertThat(tracks.get(5).artists()).containsExactly("MC Rogê", "Beltran (BR)");
        assertThat(tracks.get(8).mix()).isEqualTo("Shugz & Trance Wax Remix");
        assertThat(tracks.get(9).artists()).containsExactly("Block & Crown");
    }

    @Test
    void rejectsAPageWithoutChartDataAsNotRetryable() throws IOException {
        // When a page whose __NEXT_DATA__ holds no query results is parsed
        // Then it fails with a poison-record error naming the missing path
        assertThatThrownBy(() -> BeatportPageParser.parse(fixture("no-data.html")))
                .isInstanceOf(ChartFormatException.class).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("state.data.results");
    }

    @Test
    void rejectsAPageWithoutNextDataScript() {
        // When an HTML page without the script is parsed
        // Then the error says so
        assertThatThrownBy(() -> BeatportPageParser.parse("<html><body><h1>Access denied</h1></body></html>"))
                .isInstanceOf(ChartFormatException.class).hasMessageContaining("__NEXT_DATA__");
    }

    @Test
    void rejectsNextDataThatIsNotJson() {
        // When the script holds broken JSON
        // Then the error says the JSON is invalid
        assertThatThrownBy(() -> BeatportPageParser.parse(
                "<html><body><script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":</script></body></html>"))
                .isInstanceOf(ChartFormatException.class).hasMessageContaining("not valid JSON");
    }
}
