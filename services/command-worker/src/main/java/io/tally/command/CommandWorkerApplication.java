package io.tally.command;

import io.tally.common.config.ServiceLauncher;
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

    public static void main(String[] args) {
        ServiceLauncher.run(CommandWorkerApplication.class, CONFIG_NAME, args);
    }
}
