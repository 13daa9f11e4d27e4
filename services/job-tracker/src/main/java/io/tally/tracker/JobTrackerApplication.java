package io.tally.tracker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The job tracker service: a Kafka Streams application that ends each job exactly once. */
@SpringBootApplication
@EnableConfigurationProperties(TrackerConfig.class)
public class JobTrackerApplication {

    public static void main(String[] args) {
        SpringApplication.run(JobTrackerApplication.class, args);
    }
}
