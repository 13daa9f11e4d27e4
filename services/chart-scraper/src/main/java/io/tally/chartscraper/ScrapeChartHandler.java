package io.tally.chartscraper;

import io.tally.chartscraper.source.ChartRequest;
import io.tally.chartscraper.source.ChartSource;
import io.tally.chartscraper.source.FetchedChart;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.tasks.ChartTasks;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The {@code scrape-chart} task (pipelines/beatport-chart.yml): fetches the chart and publishes it as
 * {@code ChartPublished} on the compacted charts topic (the editions table) before it answers, so whoever reads the
 * output can read the edition. A redelivered task republishes the same chart under the same source key.
 * A chart the source answers with something that is not a chart, or a malformed parameter, fails at once
 * ({@code chart-format}, {@code bad-parameter}); anything else is retried.
 */
record ScrapeChartHandler(ChartSource source, KafkaTemplate<String, Object> template, ScraperMetrics metrics, Clock clock)
        implements TaskHandler.Work<ScrapeChartInput, ScrapeChartOutput> {

    /** The task type: requests come from {@code tally.tasks.scrape-chart}. */
    static final String TASK_TYPE = ChartTasks.SCRAPE_CHART.type();
    /** The {@code chart} value of the overall Top 100. */
    static final String TOP_100 = "top-100";

    private static final Logger log = LoggerFactory.getLogger(ScrapeChartHandler.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    @Override
    public ScrapeChartOutput run(ScrapeChartInput input, TaskContext context) throws Exception {
        ChartRequest request;
        try {
            request = ChartRequest.of(TOP_100.equals(input.getChart()) ? Map.of() : Map.of("genre", input.getChart()));
        } catch (PoisonRecordException e) {
            throw new TaskFailedException("bad-parameter", "chart '%s' is neither %s nor <genre-slug>/<genre-id>"
                    .formatted(input.getChart(), TOP_100), false);
        }
        FetchedChart fetched;
        try {
            fetched = source.fetch(request);
        } catch (PoisonRecordException e) {
            metrics.chart(source.name(), "failed");
            throw new TaskFailedException("chart-format", e.getMessage(), false, e);
        } catch (RuntimeException e) {
            metrics.chart(source.name(), "error");
            throw e;
        }
        ChartPublished chart;
        try {
            chart = Charts.published(input.getJobId(), input.getJobId(), input.getPipeline(),
                    Charts.chartDate(input.getDate(), fetched, clock.instant()), fetched, clock.instant());
        } catch (PoisonRecordException e) {
            throw new TaskFailedException("bad-parameter", e.getMessage(), false);
        }
        template.send(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        metrics.chart(source.name(), "published");
        metrics.tracks(source.name(), chart.getTracks().size());
        log.info("Published {} ({} tracks) for job {}", chart.getSourceKey(), chart.getTracks().size(), input.getJobId());
        return ScrapeChartOutput.newBuilder()
                .setSourceKey(chart.getSourceKey())
                .setChartName(chart.getChartName())
                .setChartDate(chart.getChartDate())
                .setSourceUrl(chart.getSourceUrl())
                .setTracks(chart.getTracks())
                .build();
    }
}
