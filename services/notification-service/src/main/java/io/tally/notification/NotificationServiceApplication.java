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

    /** The Avro package of the send-notification contract, which Avro 1.12 must trust to instantiate it. */
    public static final String TASKS_PACKAGE = "io.tally.tasks";

    public static void main(String[] args) {
        trustTaskContracts();
        ServiceLauncher.run(NotificationServiceApplication.class, CONFIG_NAME, args);
    }

    /** Adds {@link #TASKS_PACKAGE} to {@code org.apache.avro.SERIALIZABLE_PACKAGES} when a launcher left it out. */
    public static void trustTaskContracts() {
        String trusted = System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.tally.events");
        if (java.util.Arrays.stream(trusted.split(",")).map(String::trim).noneMatch(TASKS_PACKAGE::equals)) {
            System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", trusted + "," + TASKS_PACKAGE);
        }
    }
}
