package io.tally.playlist;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The playlist service: a Kafka Streams application that turns each completed chart job into one playlist. */
@SpringBootApplication
@EnableConfigurationProperties(PlaylistProperties.class)
public class PlaylistApplication {

    public static void main(String[] args) {
        SpringApplication.run(PlaylistApplication.class, args);
    }
}
