package io.tally.chartscraper;

import io.tally.common.jobs.Stages;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.chartscraper.source.ChartRequest;
import io.tally.chartscraper.source.ChartSource;
import io.tally.chartscraper.source.FetchedChart;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Scrapes one chart per trigger of a chart pipeline. Sends are awaited, so the offset is committed only after the
 * chart and the SUCCEEDED report are on the broker (at-least-once). A redelivered trigger republishes the same chart
 * under the same source key on the compacted charts topic; the chart processor dedupes by source key. Failures go
 * through the container's error handler (retries, then the dead-letter topic and a FAILED report, see
 * {@link ScraperConfiguration}).
 */
@Component
class ChartScraper {

    private static final Logger log = LoggerFactory.getLogger(ChartScraper.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final ScraperProperties properties;
    private final ChartSource source;
    private final KafkaTemplate<String, Object> template;
    private final ScraperMetrics metrics;
    private final Clock clock;

    ChartScraper(ScraperProperties properties, ChartSource source, KafkaTemplate<String, Object> template,
                 ScraperMetrics metrics, Clock clock) {
        this.properties = properties;
        this.source = source;
        this.template = template;
        this.metrics = metrics;
        this.clock = clock;
    }

    // idIsGroup = false: the group stays spring.kafka.consumer.group-id (tally-chart-scraper), not the listener id.
    @KafkaListener(id = "chart-scraper", idIsGroup = false, topics = "#{T(io.tally.common.topics.Topics).PIPELINE_TRIGGERS.name()}")
    void onTrigger(PipelineTriggered trigger) throws Exception {
        if (!properties.pipelines().contains(trigger.getPipeline())) {
            log.debug("Ignoring trigger {} of pipeline {}", trigger.getTriggerId(), trigger.getPipeline());
            return;
        }
        ChartRequest request = ChartRequest.of(trigger.getParameters());
        send(Topics.STAGE_REPORTED.name(), trigger.getJobId(),
                Stages.report(trigger.getJobId(), Stages.SCRAPE, StageState.RUNNING, 0, null, source.name()));
        FetchedChart fetched;
        try {
            fetched = source.fetch(request);
        } catch (RuntimeException e) {
            metrics.chart(source.name(), "error");
            throw e;
        }
        ChartPublished chart = Charts.published(trigger, fetched, clock.instant());
        send(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart);
        long count = chart.getTracks().size();
        send(Topics.STAGE_REPORTED.name(), trigger.getJobId(),
                Stages.report(trigger.getJobId(), Stages.SCRAPE, StageState.SUCCEEDED, count, count, chart.getSourceKey()));
        metrics.chart(source.name(), "published");
        metrics.tracks(source.name(), chart.getTracks().size());
        log.info("Published {} ({} tracks) for job {}", chart.getSourceKey(), count, trigger.getJobId());
    }

    private void send(String topic, String key, Object value) throws ExecutionException, InterruptedException, TimeoutException {
        template.send(topic, key, value).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
