package io.tally.celebrity;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Seed 001's service, {@code pipelines/celebrity-weekly.yml}'s workers: the four source tasks, the stream-triggered
 * post-processor that enriches the entity topic's writes into profiles, the {@code check-celebrity-quality} task, and
 * {@code GET /api/celebrities} over the profiles.
 */
@SpringBootApplication
@EnableConfigurationProperties(CelebrityProperties.class)
public class CelebrityWorkersApplication {

    /** Configuration file of this service: {@code classpath:celebrity-workers.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "celebrity-workers";

    public static void main(String[] args) {
        ServiceLauncher.run(CelebrityWorkersApplication.class, CONFIG_NAME, args);
    }

    /** When entries are collected and profiles enriched; a bean so tests can fix it. */
    @Bean
    @ConditionalOnMissingBean
    Clock celebrityClock() {
        return Clock.systemUTC();
    }
}
