package io.tally.jobtracker;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import io.tally.jobtracker.engine.RegistryTaskCodec;
import io.tally.jobtracker.pipelines.DefinitionPublisher;
import io.tally.jobtracker.pipelines.PipelinesProperties;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Wires {@link JobTrackerTopology} into Spring Kafka's streams lifecycle and dead-letter topic. Streams metrics reach
 * Micrometer through Spring Boot's own Kafka metrics auto-configuration.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class JobTrackerConfiguration {

    @Bean
    StreamsBuilderFactoryBeanConfigurer jobTrackerTopology(TrackerProperties config, EngineProperties engine,
                                                           ArtifactStore artifacts, AvroSerdes serdes,
                                                           MeterRegistry meters, PublishedPipelines published) {
        return StreamsWiring.topology(Topics.JOB_TRACKER_DLT,
                topology -> JobTrackerTopology.addTo(topology, config, serdes, meters, new RegistryTaskCodec(serdes),
                        engine, artifacts));
    }

    /**
     * The folder's definitions, published before the topology's bean exists (and so before the streams start), so a
     * trigger never meets an engine that has not seen its pipeline.
     */
    @Bean
    PublishedPipelines publishedPipelines(PipelinesProperties pipelines, KafkaAdmin admin, AvroSerdes serdes,
                                          TallyKafkaProperties kafka) {
        if (pipelines.dir() == null) {
            return new PublishedPipelines(List.of());
        }
        return new PublishedPipelines(new DefinitionPublisher(admin.getConfigurationProperties(), serdes, kafka)
                .publish(DefinitionPublisher.load(pipelines.dir())));
    }

    /** The definition keys published at start-up. */
    record PublishedPipelines(List<String> keys) {
    }
}
