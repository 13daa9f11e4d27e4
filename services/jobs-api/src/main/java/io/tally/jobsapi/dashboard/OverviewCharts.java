package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.view.JobIndex;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The overview's two charts over the last hour, in twelve 5-minute buckets: jobs completed (throughput) and their mean
 * completion latency (end minus creation). Drawn from the job view the service holds; a plain function of the
 * summaries and "now", so it is tested without Kafka. Known gap: jobs removed by cleanup no longer count.
 */
public final class OverviewCharts {

    /** Width of one bucket. */
    public static final Duration BUCKET = Duration.ofMinutes(5);
    /** Buckets in the window (one hour). */
    public static final int BUCKETS = 12;

    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private OverviewCharts() {
    }

    /**
     * One bar.
     *
     * @param label   bucket start, HH:mm UTC
     * @param value   the bar's value (jobs, or seconds)
     * @param percent its height relative to the largest bar, 0..100
     */
    public record Bar(String label, double value, double percent) {
    }

    /** Both charts. */
    public record Charts(List<Bar> throughput, List<Bar> latencySeconds, long completedInWindow) {
    }

    /** The charts for the hour before {@code now}. */
    public static Charts of(List<JobIndex.Summary> jobs, Instant now) {
        Instant end = now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        Instant start = end.minus(BUCKET.multipliedBy(BUCKETS - 1));
        long[] completed = new long[BUCKETS];
        double[] latency = new double[BUCKETS];
        for (JobIndex.Summary job : jobs) {
            Instant done = job.completedAt();
            if (done == null || done.isBefore(start) || !done.isBefore(end.plus(BUCKET))) {
                continue;
            }
            int bucket = (int) (Duration.between(start, done).toMillis() / BUCKET.toMillis());
            completed[bucket]++;
            if (job.createdAt() != null) {
                latency[bucket] += Duration.between(job.createdAt(), done).toMillis() / 1000.0;
            }
        }
        List<Bar> throughput = new ArrayList<>();
        List<Bar> meanLatency = new ArrayList<>();
        double maxCount = 0;
        double maxLatency = 0;
        double[] means = new double[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            means[i] = completed[i] == 0 ? 0 : latency[i] / completed[i];
            maxCount = Math.max(maxCount, completed[i]);
            maxLatency = Math.max(maxLatency, means[i]);
            total += completed[i];
        }
        for (int i = 0; i < BUCKETS; i++) {
            String label = LABEL.format(start.plus(BUCKET.multipliedBy(i)));
            throughput.add(new Bar(label, completed[i], maxCount == 0 ? 0 : completed[i] * 100.0 / maxCount));
            double mean = Math.round(means[i] * 10) / 10.0;
            meanLatency.add(new Bar(label, mean, maxLatency == 0 ? 0 : means[i] * 100.0 / maxLatency));
        }
        return new Charts(throughput, meanLatency, total);
    }
}
