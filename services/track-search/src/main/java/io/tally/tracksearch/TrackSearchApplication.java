package io.tally.tracksearch;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The track search worker: the worker SDK's {@code search-track} task, which resolves each track of a chart job to a
 * video id and records it in the tracks table. Scans only {@code io.tally.tracksearch}, so it can share a JVM with the
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
