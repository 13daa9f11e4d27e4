package io.tally.chart;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The chart processor service: a Kafka Streams application that turns each chart into one job of new tracks. */
@SpringBootApplication
@EnableConfigurationProperties(ProcessorConfig.class)
public class ChartProcessorApplication {

    public static void main(String[] args) {
        SpringApplication.run(ChartProcessorApplication.class, args);
    }
}
