package io.tally.notification;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The notification service: a Kafka Streams application that tells people about job ends, stalls and dead letters. */
@SpringBootApplication
@EnableConfigurationProperties(NotificationProperties.class)
public class NotificationServiceApplication {

    /** Configuration file of this service: {@code classpath:notification-service.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "notification-service";

    public static void main(String[] args) {
        ServiceLauncher.run(NotificationServiceApplication.class, CONFIG_NAME, args);
    }
}
