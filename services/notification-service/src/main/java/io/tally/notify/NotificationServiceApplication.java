package io.tally.notify;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The notification service: a Kafka Streams application that tells people about job ends, stalls and dead letters. */
@SpringBootApplication
@EnableConfigurationProperties(NotifyConfig.class)
public class NotificationServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotificationServiceApplication.class, args);
    }
}
