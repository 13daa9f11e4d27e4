package io.tally.playlist;

import io.tally.common.config.ServiceLauncher;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The playlist service: a Kafka Streams application that turns each completed chart job into one playlist. */
@SpringBootApplication
@EnableConfigurationProperties(PlaylistProperties.class)
public class PlaylistApplication {

    /** Configuration file of this service: {@code classpath:playlist-service.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "playlist-service";

    public static void main(String[] args) {
        ServiceLauncher.run(PlaylistApplication.class, CONFIG_NAME, args);
    }
}
