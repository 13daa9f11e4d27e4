package io.tally.chartscraper;

import io.tally.common.errors.PoisonRecordException;
import io.tally.common.jobs.TrackKeys;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.PipelineTriggered;
import io.tally.chartscraper.source.FetchedChart;
import io.tally.chartscraper.source.ScrapedTrack;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns a fetched chart into the {@code ChartPublished} event: source key, date, name and track keys. The
 * {@code scrape-chart} task uses the job-based overloads; the trigger-based ones serve tools/tally-bench, which
 * publishes charts without the engine.
 */
public final class Charts {

    /** The {@code date} parameter's value for the source's own (or today's) chart. */
    public static final String LATEST = "latest";

    private static final DateTimeFormatter KEY_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");

    private Charts() {
    }

    /**
     * The chart date: run parameter {@code date} (yyyy-MM-dd) if given, else the source's own date (the sample's),
     * else the trigger's scheduled instant (or its trigger time) in UTC.
     */
    public static LocalDate chartDate(PipelineTriggered trigger, FetchedChart chart) {
        Instant at = trigger.getScheduledFor() != null ? trigger.getScheduledFor() : trigger.getTriggeredAt();
        return chartDate(trigger.getParameters().get("date"), chart, at);
    }

    /**
     * The chart date: {@code date} (yyyy-MM-dd) unless it is null or {@code latest}, else the source's own date (the
     * sample's), else {@code fallback}'s date in UTC.
     */
    public static LocalDate chartDate(String date, FetchedChart chart, Instant fallback) {
        if (date != null && !date.equals(LATEST)) {
            try {
                return LocalDate.parse(date);
            } catch (DateTimeParseException e) {
                throw new PoisonRecordException("Run parameter date='" + date + "' is not a yyyy-MM-dd date");
            }
        }
        if (chart.chartDate() != null) {
            return chart.chartDate();
        }
        return LocalDate.ofInstant(fallback, ZoneOffset.UTC);
    }

    /** {@code beatport/<yyyy>/<MM>/<dd>/top100}, or {@code beatport/<yyyy>/<MM>/<dd>/<genre-slug>-top100}. */
    public static String sourceKey(LocalDate date, String genreSlug) {
        return "beatport/" + KEY_DATE.format(date) + "/" + (genreSlug == null ? "" : genreSlug + "-") + "top100";
    }

    /** "Beatport Top 100", or "Beatport Tech House Top 100" for genre slug {@code tech-house}. */
    public static String chartName(String genreSlug) {
        if (genreSlug == null) {
            return "Beatport Top 100";
        }
        String genre = Arrays.stream(genreSlug.split("-")).filter(word -> !word.isEmpty())
                .map(word -> word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1))
                .collect(Collectors.joining(" "));
        return "Beatport " + genre + " Top 100";
    }

    /** The event for {@code chart}, fetched for {@code trigger}. */
    public static ChartPublished published(PipelineTriggered trigger, FetchedChart chart, Instant now) {
        return published(trigger.getJobId(), trigger.getTriggerId(), trigger.getPipeline(), chartDate(trigger, chart),
                chart, now);
    }

    /** The event for {@code chart} of {@code date}, fetched for job {@code jobId} of {@code pipeline}. */
    public static ChartPublished published(String jobId, String triggerId, String pipeline, LocalDate date,
                                           FetchedChart chart, Instant now) {
        return ChartPublished.newBuilder()
                .setSourceKey(sourceKey(date, chart.genreSlug()))
                .setJobId(jobId)
                .setTriggerId(triggerId)
                .setPipeline(pipeline)
                .setChartName(chartName(chart.genreSlug()))
                .setChartDate(date)
                .setSourceUrl(chart.sourceUrl())
                .setTracks(chart.tracks().stream().map(Charts::track).toList())
                .setPublishedAt(now)
                .build();
    }

    private static ChartTrack track(ScrapedTrack track) {
        return ChartTrack.newBuilder()
                .setPosition(track.position())
                .setTrackKey(TrackKeys.of(track.artists(), track.title(), track.mix()))
                .setArtists(track.artists())
                .setTitle(track.title())
                .setMix(track.mix())
                .setLabel(track.label())
                .setGenre(track.genre())
                .setBpm(track.bpm())
                .setSourceTrackId(track.sourceTrackId())
                .build();
    }
}
