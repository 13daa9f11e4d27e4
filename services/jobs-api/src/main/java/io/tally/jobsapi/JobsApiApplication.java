package io.tally.jobsapi;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The jobs API: triggers pipeline runs, answers job status from a materialized view of the tracker's status topic,
 * and offers guarded admin endpoints. Scans only {@code io.tally.jobsapi}, so it can share a JVM with other services.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class JobsApiApplication {

    /** Configuration file of this service: {@code classpath:jobs-api.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "jobs-api";

    public static void main(String[] args) {
        ServiceLauncher.run(JobsApiApplication.class, CONFIG_NAME, args);
    }
}
