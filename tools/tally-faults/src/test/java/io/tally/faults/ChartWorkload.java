package io.tally.faults;

import io.tally.common.jobs.TrackKeys;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobState;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * K charts of N new tracks each, published as the chart scraper would: each becomes one job of the reference
 * pipeline. One track per chart has a title the offline search does not find ({@link #NOT_FOUND}), so every job ends
 * COMPLETED with N-1 succeeded and 1 skipped, a playlist of N-1 entries and one completion notification.
 */
final class ChartWorkload {

    /** Title fragment the offline search adapter is told to answer NOT_FOUND for. */
    static final String NOT_FOUND = "Nowhere";
    static final String PIPELINE = "beatport-chart";

    final List<ChartPublished> charts = new ArrayList<>();
    final List<JobExpectation> expectations = new ArrayList<>();

    ChartWorkload(String prefix, int jobs, int items) {
        Instant now = Instant.now();
        for (int j = 0; j < jobs; j++) {
            String jobId = prefix + "job-" + j;
            String sourceKey = "faults/" + prefix + "chart-" + j;
            List<ChartTrack> tracks = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                List<String> artists = List.of("Fault Artist " + (i % 3));
                String title = (i == items - 1 ? NOT_FOUND + " " : "Track ") + prefix + j + "-" + i;
                tracks.add(ChartTrack.newBuilder().setPosition(i + 1).setTrackKey(TrackKeys.of(artists, title, null))
                        .setArtists(artists).setTitle(title).build());
            }
            charts.add(ChartPublished.newBuilder().setSourceKey(sourceKey).setJobId(jobId).setTriggerId("t-" + jobId)
                    .setPipeline(PIPELINE).setChartName("Faults " + prefix + j).setChartDate(LocalDate.of(2026, 11, 23))
                    .setTracks(tracks).setPublishedAt(now).build());
            expectations.add(new JobExpectation(jobId, sourceKey, JobState.COMPLETED, items, items - 1, 0, 1, true,
                    true));
        }
    }
}
