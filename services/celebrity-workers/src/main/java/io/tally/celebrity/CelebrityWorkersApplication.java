package io.tally.celebrity;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import java.util.Arrays;
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
    /** The Avro namespace of this module's records, which Avro 1.12 must be told to trust. */
    public static final String AVRO_PACKAGE = "io.tally.tasks.celebrity";

    public static void main(String[] args) {
        trustAvroPackage();
        ServiceLauncher.run(CelebrityWorkersApplication.class, CONFIG_NAME, args);
    }

    /**
     * Adds {@link #AVRO_PACKAGE} to {@code org.apache.avro.SERIALIZABLE_PACKAGES} before any Avro class is loaded (the
     * local runtime starts services trusting {@code io.tally.events} only), as tally-bench does for its own records.
     */
    static void trustAvroPackage() {
        String key = "org.apache.avro.SERIALIZABLE_PACKAGES";
        String trusted = System.getProperty(key, "io.tally.events");
        if (!Arrays.asList(trusted.split(",")).contains(AVRO_PACKAGE)) {
            System.setProperty(key, trusted + "," + AVRO_PACKAGE);
        }
    }

    /** When entries are collected and profiles enriched; a bean so tests can fix it. */
    @Bean
    @ConditionalOnMissingBean
    Clock celebrityClock() {
        return Clock.systemUTC();
    }
}
