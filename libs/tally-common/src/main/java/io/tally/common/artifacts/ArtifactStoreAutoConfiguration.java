package io.tally.common.artifacts;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The artifact store of every Tally service, a {@link FileArtifactStore} unless the application declares another. */
@AutoConfiguration
@EnableConfigurationProperties(ArtifactProperties.class)
public class ArtifactStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ArtifactStore artifactStore(ArtifactProperties properties) {
        return new FileArtifactStore(properties.dir());
    }
}
