package io.tally.chartscraper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.TrackKeys;
import io.tally.events.ChartPublished;
import io.tally.events.PipelineTriggered;
import io.tally.chartscraper.source.ChartRequest;
import io.tally.chartscraper.source.FetchedChart;
import io.tally.chartscraper.source.SampleChartSource;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** Source keys, chart dates and names, and the event built from the bundled sample. */
class ChartsTest {

    private static final FetchedChart SAMPLE = new SampleChartSource(
            new ClassPathResource("charts/beatport-top100-sample.json")).fetch(ChartRequest.of(Map.of()));

    private static PipelineTriggered trigger(Map<String, String> parameters, Instant scheduledFor) {
        return PipelineTriggered.newBuilder().setTriggerId("schedule:weekly-chart@2026-11-29T02:00:00Z").setJobId("job-1")
                .setPipeline("beatport-chart").setSchedule("weekly-chart").setScheduledFor(scheduledFor)
                .setTriggeredAt(Instant.parse("2026-11-29T02:00:01Z")).setParameters(parameters).build();
    }

    @Test
    void buildsTheChartFromTheSampleWithItsOwnDateAndAllTracks() {
        // When the sample chart is published for a scheduled trigger
        ChartPublished chart = Charts.published(trigger(Map.of(), Instant.parse("2026-11-29T02:00:00Z")), SAMPLE,
                Instant.parse("2026-11-29T02:00:05Z"));
        // Then it has the sample's date in its key, 100 keyed tracks and the trigger's ids
        assertThat(chart.getSourceKey()).isEqualTo("beatport/2026/01/25/top100");
        assertThat(chart.getChartDate()).isEqualTo(LocalDate.of(2026, 1, 25));
        assertThat(chart.getChartName()).isEqualTo("Beatport Top 100");
        assertThat(chart.getJobId()).isEqualTo("job-1");
        assertThat(chart.getSourceUrl()).isNull();
        assertThat(chart.getTracks()).hasSize(100);
        assertThat(chart.getTracks().get(0).getTrackKey())
                .isEqualTo(TrackKeys.of(chart.getTracks().get(0).getArtists(), "Greece 2000", "Max Styler Extended Rework"));
        assertThat(chart.getTracks().get(99).getPosition()).isEqualTo(100);
    }

    @Test
    void prefersTheDateParameterThenTheSourceDateThenTheScheduledInstant() {
        FetchedChart live = new FetchedChart(SAMPLE.tracks(), null, "https://www.beatport.com/top-100", null);
        // Then an explicit date wins, the source's date comes next, then the schedule instant's UTC date
        assertThat(Charts.chartDate(trigger(Map.of("date", "2024-08-12"), null), SAMPLE)).isEqualTo(LocalDate.of(2024, 8, 12));
        assertThat(Charts.chartDate(trigger(Map.of(), Instant.parse("2026-11-29T23:30:00Z")), SAMPLE))
                .isEqualTo(LocalDate.of(2026, 1, 25));
        assertThat(Charts.chartDate(trigger(Map.of(), Instant.parse("2026-11-29T23:30:00Z")), live))
                .isEqualTo(LocalDate.of(2026, 11, 29));
        assertThat(Charts.chartDate(trigger(Map.of(), null), live)).isEqualTo(LocalDate.of(2026, 11, 29));
    }

    @Test
    void namesGenreChartsAndKeysThemByGenreSlug() {
        assertThat(Charts.sourceKey(LocalDate.of(2026, 3, 1), "tech-house")).isEqualTo("beatport/2026/03/01/tech-house-top100");
        assertThat(Charts.chartName("tech-house")).isEqualTo("Beatport Tech House Top 100");
    }

    @Test
    void rejectsMalformedDateAndGenreParametersAsPoison() {
        assertThatThrownBy(() -> Charts.chartDate(trigger(Map.of("date", "25/01/2026"), null), SAMPLE))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("yyyy-MM-dd");
        assertThatThrownBy(() -> ChartRequest.of(Map.of("genre", "../admin")))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("house/5");
    }
}
