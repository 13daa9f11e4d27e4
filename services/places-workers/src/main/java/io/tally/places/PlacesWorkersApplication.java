package io.tally.places;

import io.tally.common.config.ServiceLauncher;
import java.util.Arrays;
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
    /** The Avro package of this module's task contracts, which Avro 1.12 must trust to instantiate them. */
    public static final String TASKS_PACKAGE = "io.tally.tasks";

    public static void main(String[] args) {
        trustTaskContracts();
        ServiceLauncher.run(PlacesWorkersApplication.class, CONFIG_NAME, args);
    }

    /**
     * Adds {@link #TASKS_PACKAGE} to {@code org.apache.avro.SERIALIZABLE_PACKAGES}: a launcher that trusts only
     * {@code io.tally.events} (the services' default) would otherwise make every request unreadable.
     */
    public static void trustTaskContracts() {
        String trusted = System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.tally.events");
        if (Arrays.stream(trusted.split(",")).map(String::trim).noneMatch(TASKS_PACKAGE::equals)) {
            System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", trusted + "," + TASKS_PACKAGE);
        }
    }
}
