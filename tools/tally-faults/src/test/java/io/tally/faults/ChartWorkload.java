package io.tally.faults;

import io.tally.events.JobState;
import io.tally.events.PipelineTriggered;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import io.tally.localruntime.BeatportPageServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * K Beatport genre charts of N tracks each, every one triggered as a run of the declared chart pipeline
 * ({@code pipelines/beatport-chart.yml}) with its own job id, as the jobs API or the scheduler would. The charts are
 * served by {@link BeatportPageServer}; every chart and every track is new to the run (the slug and the titles carry the
 * batch prefix), so the pick stage picks all N. One track per chart has a title the offline search does not find
 * ({@link #NOT_FOUND}): its search is skipped (resolution NOT_FOUND, not a failure), so every job ends COMPLETED with
 * N-1 succeeded and 1 skipped, a playlist of N-1 entries and one completion notification.
 */
final class ChartWorkload {

    /** Title fragment the offline search adapter is told to answer NOT_FOUND for. */
    static final String NOT_FOUND = "Nowhere";
    static final String PIPELINE = "beatport-chart";
    /** The {@code date} parameter of every run: it names the chart edition (and its source key) with the slug. */
    static final String DATE = "2026-11-23";

    /** One chart: its page path on the stub, its tracks, and the trigger that runs it. */
    record Chart(String path, List<BeatportPageServer.Track> tracks, PipelineTriggered trigger) {
    }

    final List<Chart> charts = new ArrayList<>();
    final List<JobExpectation> expectations = new ArrayList<>();

    /**
     * @param prefix lowercase letters, digits and dashes, ending in a dash: it starts every job id and chart slug
     *               (the pipeline's {@code chart} parameter must match {@code [a-z0-9-]+/[0-9]+})
     */
    ChartWorkload(String prefix, int jobs, int items) {
        if (!prefix.matches("[a-z0-9-]+-")) {
            throw new IllegalArgumentException("prefix '" + prefix + "' must be [a-z0-9-]+ ending in '-'");
        }
        Instant now = Instant.now();
        for (int j = 0; j < jobs; j++) {
            String jobId = prefix + "job-" + j;
            String slug = prefix + j;
            String chart = slug + "/" + (100 + j);
            List<BeatportPageServer.Track> tracks = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                String title = (i == items - 1 ? NOT_FOUND + " " : "Track ") + prefix + j + "-" + i;
                tracks.add(new BeatportPageServer.Track(List.of("Fault Artist " + (i % 3)), title, "Original Mix"));
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("chart", chart);
            parameters.put("date", DATE);
            PipelineTriggered trigger = PipelineTriggered.newBuilder().setTriggerId("manual:" + jobId).setJobId(jobId)
                    .setPipeline(PIPELINE).setTriggeredAt(now).setParameters(parameters).setRequestedBy("tally-faults")
                    .build();
            charts.add(new Chart("/genre/" + chart + "/top-100", tracks, trigger));
            // The scraper's source key (chart-scraper Charts.sourceKey): the playlist's sourceRef and file name.
            String sourceKey = "beatport/" + DATE.replace('-', '/') + "/" + slug + "-top100";
            expectations.add(new JobExpectation(jobId, sourceKey, JobState.COMPLETED, items, items - 1, 0, 1, true,
                    true));
        }
    }

    /** Puts the batch's chart pages on {@code stub}, so the scraper finds them when the jobs ask. */
    ChartWorkload servedBy(BeatportPageServer stub) {
        charts.forEach(chart -> stub.serve(chart.path(), chart.tracks()));
        return this;
    }
}
