package io.tally.command;

import io.tally.common.config.ServiceLauncher;
import java.util.Arrays;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * The command worker: each {@code tally.command.tasks.<type>} is a task type whose tasks run that executable
 * ({@link CommandTaskRegistrar}), so a pipeline stage can be any command line tool, such as {@code dbt run}.
 */
@SpringBootApplication
@EnableConfigurationProperties(CommandProperties.class)
@Import(CommandTaskRegistrar.class)
public class CommandWorkerApplication {

    /** Configuration file of this service: {@code classpath:command-worker.yml}. */
    public static final String CONFIG_NAME = "command-worker";
    /** The Avro package of this module's task contracts, which Avro 1.12 must trust to instantiate them. */
    public static final String TASKS_PACKAGE = "io.tally.tasks";

    public static void main(String[] args) {
        trustTaskContracts();
        ServiceLauncher.run(CommandWorkerApplication.class, CONFIG_NAME, args);
    }

    /** Adds {@link #TASKS_PACKAGE} to {@code org.apache.avro.SERIALIZABLE_PACKAGES} when a launcher left it out. */
    public static void trustTaskContracts() {
        String trusted = System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.tally.events");
        if (Arrays.stream(trusted.split(",")).map(String::trim).noneMatch(TASKS_PACKAGE::equals)) {
            System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", trusted + "," + TASKS_PACKAGE);
        }
    }
}
