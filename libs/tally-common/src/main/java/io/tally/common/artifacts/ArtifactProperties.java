package io.tally.common.artifacts;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where a service keeps and finds artifacts, bound from {@code tally.artifacts.*}.
 *
 * @param dir the shared directory of the {@link FileArtifactStore}; every service that writes or reads artifacts must
 *            see the same one (a compose volume, a ReadWriteMany volume in Kubernetes). Default:
 *            {@code <java.io.tmpdir>/tally-artifacts}, fine for one machine, lost with the temporary directory.
 */
@ConfigurationProperties("tally.artifacts")
public record ArtifactProperties(Path dir) {

    public ArtifactProperties {
        if (dir == null) {
            dir = Path.of(System.getProperty("java.io.tmpdir"), "tally-artifacts");
        }
    }
}
