package io.tally.jobtracker.pipelines;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the engine reads pipeline definitions from ({@code tally.pipelines.*}).
 *
 * @param dir the folder of definition files ({@code pipelines/} in the repository, a ConfigMap in Kubernetes); unset,
 *            the engine publishes nothing and runs only the definitions already on the definitions topic
 */
@ConfigurationProperties("tally.pipelines")
public record PipelinesProperties(Path dir) {
}
