package io.tally.media;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Seed 002's service, {@code pipelines/media-sources.yml}'s workers: {@code extract-source}, {@code pick-new-items}
 * and {@code process-video}, and the listener that records dead-lettered videos in {@code tally.media.history}.
 */
@SpringBootApplication
@EnableConfigurationProperties(MediaProperties.class)
public class MediaWorkersApplication {

    /** Configuration file of this service: {@code classpath:media-workers.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "media-workers";

    public static void main(String[] args) {
        ServiceLauncher.run(MediaWorkersApplication.class, CONFIG_NAME, args);
    }

    /** When items are requested and processed; a bean so tests can fix it. */
    @Bean
    @ConditionalOnMissingBean
    Clock mediaClock() {
        return Clock.systemUTC();
    }
}
