package io.tally.jobtracker;

import io.tally.common.config.ServiceLauncher;
import io.tally.jobtracker.pipelines.PipelinesProperties;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The job tracker service and pipeline engine: a Kafka Streams application that ends each job exactly once. */
@SpringBootApplication
@EnableConfigurationProperties({TrackerProperties.class, EngineProperties.class, PipelinesProperties.class})
public class JobTrackerApplication {

    /** Configuration file of this service: {@code classpath:job-tracker.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "job-tracker";

    public static void main(String[] args) {
        ServiceLauncher.run(JobTrackerApplication.class, CONFIG_NAME, args);
    }
}
