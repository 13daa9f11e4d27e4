package io.tally.chartprocessor;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The chart processor service: a Kafka Streams application that picks the new tracks of each chart, and the
 * worker of the {@code pick-new-tracks} task that answers with them. */
@SpringBootApplication
@EnableConfigurationProperties(ProcessorProperties.class)
public class ChartProcessorApplication {

    /** Configuration file of this service: {@code classpath:chart-processor.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "chart-processor";

    public static void main(String[] args) {
        ServiceLauncher.run(ChartProcessorApplication.class, CONFIG_NAME, args);
    }
}
