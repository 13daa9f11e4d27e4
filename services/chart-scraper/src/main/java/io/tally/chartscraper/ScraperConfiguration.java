package io.tally.chartscraper;

import io.tally.common.errors.DeadLetterErrorHandlers;
import io.tally.common.jobs.Stages;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.worker.TaskHandler;
import io.tally.chartscraper.source.BeatportChartSource;
import io.tally.chartscraper.source.ChartSource;
import io.tally.chartscraper.source.SampleChartSource;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import org.springframework.web.client.RestClient;

/**
 * Wires the chart source chosen by {@code tally.scraper.source}, the trigger listener's retry and dead-letter handling,
 * and, beside that legacy listener, the {@code scrape-chart} task of the worker SDK.
 */
@Configuration(proxyBeanMethods = false)
class ScraperConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ScraperConfiguration.class);

    @Bean
    ChartSource chartSource(ScraperProperties properties, ResourceLoader resources, RestClient.Builder http) {
        return switch (properties.source()) {
            case SAMPLE -> new SampleChartSource(resources.getResource(properties.sample().location()));
            case BEATPORT -> new BeatportChartSource(http, properties.beatport());
        };
    }

    /**
     * Retries with exponential back-off, then dead-letters the trigger and reports the scrape stage FAILED with the
     * reason. Unreadable records and poison content skip the retries.
     */
    @Bean
    CommonErrorHandler scraperErrorHandler(KafkaTemplate<String, Object> template, ScraperProperties properties,
                                           ChartSource source, ScraperMetrics metrics) {
        ScraperProperties.Retry retry = properties.retry();
        ExponentialBackOffWithMaxRetries backOff = new ExponentialBackOffWithMaxRetries(retry.maxAttempts() - 1);
        backOff.setInitialInterval(retry.initialInterval().toMillis());
        backOff.setMultiplier(retry.multiplier());
        DefaultErrorHandler handler = DeadLetterErrorHandlers.publishingTo(template, Topics.CHART_SCRAPER_DLT, backOff);
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception ex, int deliveryAttempt) {
                log.warn("Scrape attempt {} of {} failed: {}", deliveryAttempt, record.key(), ex.getMessage());
            }

            @Override
            public void recovered(ConsumerRecord<?, ?> record, Exception ex) {
                metrics.chart(source.name(), "failed");
                if (record.value() instanceof PipelineTriggered trigger
                        && properties.pipelines().contains(trigger.getPipeline())) {
                    // Best effort: the dead letter is already written; a lost report shows up as a stalled job.
                    template.send(Topics.STAGE_REPORTED.name(), trigger.getJobId(), Stages.report(trigger.getJobId(),
                            Stages.SCRAPE, StageState.FAILED, 0, null, reason(ex)));
                }
            }
        });
        return handler;
    }

    /**
     * The {@code scrape-chart} task, beside the trigger listener: the same source, template, metrics and clock. The
     * worker SDK's container factories get {@link #scraperErrorHandler} through Boot's configurer, but its retry-topic
     * support replaces it on every task container, so a failed task goes to {@code tally.dlt.tasks.scrape-chart} and
     * reports no scrape stage; the handler above keeps applying to the trigger listener only.
     */
    @Bean
    TaskHandler<ScrapeChartInput, ScrapeChartOutput> scrapeChartTask(ChartSource source, KafkaTemplate<String, Object> template,
                                                                      ScraperMetrics metrics, Clock clock) {
        return TaskHandler.of(ScrapeChartHandler.TASK_TYPE, ScrapeChartInput.class, ScrapeChartOutput.class,
                new ScrapeChartHandler(source, template, metrics, clock));
    }

    private static String reason(Exception ex) {
        Throwable cause = ex;
        // The container wraps the listener's exception; the reason is the listener's own message.
        while (cause instanceof ListenerExecutionFailedException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
