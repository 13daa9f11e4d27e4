package io.tally.chartscraper;

import io.tally.chartscraper.source.BeatportChartSource;
import io.tally.chartscraper.source.ChartSource;
import io.tally.chartscraper.source.SampleChartSource;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.client.RestClient;

/**
 * Wires the chart source chosen by {@code tally.scraper.source} and the {@code scrape-chart} task of the worker SDK,
 * whose retry topics and dead-letter topic ({@code tally.dlt.tasks.scrape-chart}) are the SDK's.
 */
@Configuration(proxyBeanMethods = false)
class ScraperConfiguration {

    @Bean
    ChartSource chartSource(ScraperProperties properties, ResourceLoader resources, RestClient.Builder http) {
        return switch (properties.source()) {
            case SAMPLE -> new SampleChartSource(resources.getResource(properties.sample().location()));
            case BEATPORT -> new BeatportChartSource(http, properties.beatport());
        };
    }

    /** The {@code scrape-chart} task over the configured source; the clock dates the publication and the fallback chart date. */
    @Bean
    TaskHandler<ScrapeChartInput, ScrapeChartOutput> scrapeChartTask(ChartSource source, KafkaTemplate<String, Object> template,
                                                                      ScraperMetrics metrics, Clock clock) {
        return TaskHandler.of(ScrapeChartHandler.TASK_TYPE, ScrapeChartInput.class, ScrapeChartOutput.class,
                new ScrapeChartHandler(source, template, metrics, clock));
    }
}
