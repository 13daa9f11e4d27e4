package io.tally.tracksearch;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The track search worker: a Spring Kafka consumer that resolves each requested track to a video id, with
 * non-blocking retries and a dead-letter topic. Scans only {@code io.tally.tracksearch}, so it can share a JVM with the
 * other services.
 */
@SpringBootApplication
@EnableConfigurationProperties(SearchProperties.class)
public class TrackSearchApplication {

    /** Configuration file of this service: {@code classpath:track-search.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "track-search";

    public static void main(String[] args) {
        ServiceLauncher.run(TrackSearchApplication.class, CONFIG_NAME, args);
    }
}
