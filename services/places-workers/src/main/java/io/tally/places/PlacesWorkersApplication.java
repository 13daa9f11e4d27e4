package io.tally.places;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The workers of {@code pipelines/restaurants-daily.yml}: {@code collect-places}, {@code transform-models},
 * {@code test-models}, {@code places-report} and {@code quality-gate}, over one embedded DuckDB warehouse file.
 * Known gap: one warehouse file per instance; two instances need two files (DuckDB has one writer per file).
 */
@SpringBootApplication
@EnableConfigurationProperties(PlacesProperties.class)
public class PlacesWorkersApplication {

    /** Configuration file of this service: {@code classpath:places-workers.yml}. */
    public static final String CONFIG_NAME = "places-workers";

    public static void main(String[] args) {
        ServiceLauncher.run(PlacesWorkersApplication.class, CONFIG_NAME, args);
    }
}
