package io.tally.common.config;

import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a Tally service with its own configuration file, {@code <service>.yml}, instead of {@code application.yml}.
 * Every service jar on one classpath (the end-to-end test, {@code ./tally demo}) would otherwise share whichever
 * {@code application.yml} comes first.
 */
public final class ServiceLauncher {

    private ServiceLauncher() {
    }

    /** A builder for the service whose configuration is {@code classpath:<configName>.yml}. */
    public static SpringApplicationBuilder builder(Class<?> application, String configName) {
        // Default properties, so a --spring.config.name or SPRING_CONFIG_NAME given by an operator still wins.
        return new SpringApplicationBuilder(application).properties(Map.of("spring.config.name", configName));
    }

    /** Runs the service with the given command-line arguments. */
    public static ConfigurableApplicationContext run(Class<?> application, String configName, String... args) {
        return builder(application, configName).run(args);
    }
}
