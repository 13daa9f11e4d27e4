package io.tally.chartscraper;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The chart scraper service: the worker of the {@code scrape-chart} task, which publishes the chart as {@code ChartPublished}. */
@SpringBootApplication
@EnableConfigurationProperties(ScraperProperties.class)
public class ChartScraperApplication {

    /** Configuration file of this service: {@code classpath:chart-scraper.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "chart-scraper";

    public static void main(String[] args) {
        ServiceLauncher.run(ChartScraperApplication.class, CONFIG_NAME, args);
    }

    /** Time of publication and of the fallback chart date; a bean so tests can fix it. */
    @Bean
    @ConditionalOnMissingBean
    Clock scraperClock() {
        return Clock.systemUTC();
    }
}
