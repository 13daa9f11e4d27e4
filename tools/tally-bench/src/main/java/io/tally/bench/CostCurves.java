package io.tally.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.time.Duration;
import io.tally.localruntime.TrackerWorkload.ItemIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Issue 16's cost curves: how the cost grows with the work. Completion latency against offered load (10% to 100% of
 * the tracker's maximum, measured by a short throughput run in the same bench run), the engine's stage transitions
 * per second against pipeline length, and memory, state on disk and restore time against the number of open jobs
 * (the tracker as deployed, via {@link ScaleBench#loadAndRestore}). Each curve is a table in the summary and a PNG
 * plot (paths under {@code plots}). Known gaps: every point is measured once, on a shared machine; one producer
 * thread offers the load, so the top points may offer less than asked (the rate it kept is reported as
 * {@code sentItemsPerSec}).
 */
final class CostCurves {

    static final List<Integer> STAGE_COUNTS = List.of(1, 3, 10);
    /** As the latency section: jobs of 20 items. */
    static final int ITEMS_PER_JOB = 20;
    static final String LATENCY_PLOT = "cost-latency-by-load.png";
    static final String ENGINE_PLOT = "cost-engine-by-stages.png";
    static final String MEMORY_PLOT = "cost-open-jobs-memory.png";
    static final String RESTORE_PLOT = "cost-open-jobs-restore.png";

    /** How big each curve is; the open-jobs sizes and load percentages are the points. */
    record Sizes(List<Integer> openJobs, List<Integer> loadPercents, Duration latencyMeasured, int throughputJobs,
                 int throughputItems, int engineJobs) {
    }

    record Result(Map<String, Object> figures, List<String> problems) {
    }

    private final BenchEnvironment env;
    private final Admin admin;
    private final Runnable resetTopics;
    private final int commitIntervalMs;
    private final Path plotDir;

    CostCurves(BenchEnvironment env, Admin admin, Runnable resetTopics, int commitIntervalMs, Path plotDir) {
        this.env = env;
        this.admin = admin;
        this.resetTopics = resetTopics;
        this.commitIntervalMs = commitIntervalMs;
        this.plotDir = plotDir;
    }

    Result run(Sizes sizes) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        List<Path> plots = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        // Latency against load: the maximum first, so the load is a share of what this machine does in this run.
        // Items without an ordinal, as LatencyBench sends them.
        long maxRate = Math.round(new ThroughputBench(env, resetTopics).trackerMaximum(
                sizes.throughputJobs(), sizes.throughputItems(), ItemIds.KEYED, problems));
        // As in the latency section: on a calm machine the first point (10%) otherwise showed the latency path's JIT
        // warm-up, a p99 three times the 25% point's.
        resetTopics.run();
        new LatencyBench(env).warmUp("load-warmup", commitIntervalMs);
        List<Map<String, Object>> byLoad = new ArrayList<>();
        for (int percent : sizes.loadPercents()) {
            resetTopics.run();
            int rate = (int) Math.max(ITEMS_PER_JOB, maxRate * percent / 100);
            LatencyBench.Result point = new LatencyBench(env).run("load-" + percent + "pct", rate, LatencyBench.LEAD,
                    sizes.latencyMeasured(), ITEMS_PER_JOB, commitIntervalMs);
            problems.addAll(point.problems());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("loadPercent", percent);
            row.putAll(point.figures());
            byLoad.add(row);
        }
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("maxTrackerRecordsPerSec", maxRate);
        latency.put("points", byLoad);
        figures.put("latencyByLoad", latency);
        plots.add(plot(LATENCY_PLOT, "Completion latency against offered load (max " + maxRate + " records/s)",
                "offered load, % of the tracker's measured maximum", false, "ms (log scale)", true,
                Map.of("p50", points(byLoad, "loadPercent", "p50Ms"), "p99", points(byLoad, "loadPercent", "p99Ms"))));

        List<Map<String, Object>> byStages = new ArrayList<>();
        for (int stages : STAGE_COUNTS) {
            resetTopics.run();
            EngineBench.Result point = new EngineBench(env, admin, EngineBench.Shape.chain(stages),
                    "engine-chain" + stages).run(sizes.engineJobs(), Math.max(1, sizes.engineJobs() / 4));
            problems.addAll(point.problems());
            byStages.add(point.figures());
        }
        figures.put("engineByStages", byStages);
        plots.add(plot(ENGINE_PLOT, "Engine rate against pipeline length (" + sizes.engineJobs() + " jobs at once)",
                "single-task stages per pipeline", false, "per second", false,
                Map.of("stage transitions/s", points(byStages, "stagesPerJob", "stageTransitionsPerSec"),
                        "jobs/s", points(byStages, "stagesPerJob", "jobsPerSec"))));

        List<Map<String, Object>> byOpenJobs = new ArrayList<>();
        ScaleBench scale = new ScaleBench(env, admin);
        for (int openJobs : sizes.openJobs()) {
            resetTopics.run();
            byOpenJobs.add(scale.loadAndRestore("open-jobs-" + openJobs, openJobs, problems));
        }
        figures.put("byOpenJobs", byOpenJobs);
        plots.add(plot(MEMORY_PLOT, "Tracker memory and state against open jobs (-Xmx" + ScaleBench.MAX_HEAP + ")",
                "open jobs (log scale)", true, "MiB", false,
                Map.of("RSS", points(byOpenJobs, "openJobs", "rssMiB"),
                        "state on disk", points(byOpenJobs, "openJobs", "stateMiB"))));
        plots.add(plot(RESTORE_PLOT, "Fresh instance: restore until processing, against open jobs",
                "open jobs (log scale)", true, "seconds from JVM start", false,
                Map.of("processing on every partition", points(byOpenJobs, "openJobs", "restoreUntilProcessingSec"),
                        "readiness probe UP", points(byOpenJobs, "openJobs", "freshInstanceReadySec"))));
        // Relative to where the bench was started, so a summary kept in docs/ names files in the repository.
        Path here = Path.of("").toAbsolutePath();
        figures.put("plots", plots.stream().map(Path::toAbsolutePath)
                .map(plot -> plot.startsWith(here) ? here.relativize(plot).toString() : plot.toString()).toList());
        env.say("curves: plots written to %s", plotDir.toAbsolutePath());
        return new Result(figures, problems);
    }

    /** (x, y) pairs from two figures of each row; rows without both (a failed point) are left out. */
    private static List<double[]> points(List<Map<String, Object>> rows, String x, String y) {
        return rows.stream().filter(row -> row.get(x) instanceof Number && row.get(y) instanceof Number)
                .map(row -> new double[] {((Number) row.get(x)).doubleValue(), ((Number) row.get(y)).doubleValue()})
                .toList();
    }

    /** A line chart with a marker at every measured point, as a PNG under the plot directory. */
    private Path plot(String file, String title, String xLabel, boolean logX, String yLabel, boolean logY,
                      Map<String, List<double[]>> series) throws IOException {
        // The bench runs on servers without a display; JFreeChart draws with AWT.
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        series.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            XYSeries line = new XYSeries(entry.getKey());
            // A log axis cannot show zero or less.
            entry.getValue().stream().filter(point -> !(logX && point[0] <= 0) && !(logY && point[1] <= 0))
                    .forEach(point -> line.add(point[0], point[1]));
            data.addSeries(line);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (logX) {
            plot.setDomainAxis(logAxis(xLabel));
        }
        if (logY) {
            plot.setRangeAxis(logAxis(yLabel));
        }
        Files.createDirectories(plotDir);
        Path target = plotDir.resolve(file);
        ChartUtils.saveChartAsPNG(target.toFile(), chart, 900, 520);
        return target;
    }

    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setNumberFormatOverride(NumberFormat.getIntegerInstance(Locale.ROOT));
        return axis;
    }
}
