package io.tally.jobtracker;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.topics.Topics;
import io.tally.jobtracker.engine.RegistryTaskCodec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Wires {@link JobTrackerTopology} into Spring Kafka's streams lifecycle and dead-letter topic. Streams metrics reach
 * Micrometer through Spring Boot's own Kafka metrics auto-configuration.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class JobTrackerConfiguration {

    @Bean
    StreamsBuilderFactoryBeanConfigurer jobTrackerTopology(TrackerProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return StreamsWiring.topology(Topics.JOB_TRACKER_DLT,
                topology -> JobTrackerTopology.addTo(topology, config, serdes, meters, new RegistryTaskCodec(serdes)));
    }
}
