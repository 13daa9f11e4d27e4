package io.tally.command;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The command worker's settings, bound from {@code tally.command.*}: one entry per task type, the command its tasks
 * run. The type's name is the map key and must be a task type ({@code [a-z0-9][a-z0-9-]*}).
 *
 * @param tasks task type to the command it runs
 */
@Validated
@ConfigurationProperties("tally.command")
public record CommandProperties(@Valid @NotNull @DefaultValue Map<String, Command> tasks) {

    /**
     * One command.
     *
     * @param executable         the program: a path, or a name looked up on the worker's {@code PATH}
     * @param args               its arguments; {@code ${input.jobId}}, {@code ${input.pipeline}} and
     *                           {@code ${input.params.<name>}} are replaced with the task input's values
     * @param workingDir         the process's working directory; the worker's own when not set
     * @param environment        variables set for the process, on top of the worker's (see {@code inheritEnvironment})
     * @param inheritEnvironment whether the process starts with the worker's environment
     * @param timeout            how long the process may run before it (and its children) are killed and the task
     *                           fails, retryable, with {@code command-timeout}
     * @param maxOutput          how many bytes of the end of stdout and of stderr are kept in the output
     * @param retryExitCodes     whether a non-zero exit ({@code exit-<n>}) may be retried
     */
    public record Command(
            @NotBlank String executable,
            @NotNull @DefaultValue List<String> args,
            Path workingDir,
            @NotNull @DefaultValue Map<String, String> environment,
            @DefaultValue("true") boolean inheritEnvironment,
            @NotNull @DefaultValue("5m") Duration timeout,
            @Min(256) @DefaultValue("65536") int maxOutput,
            @DefaultValue("true") boolean retryExitCodes) {
    }
}
