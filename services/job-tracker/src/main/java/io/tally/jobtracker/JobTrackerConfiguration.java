package io.tally.jobtracker;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import org.apache.kafka.streams.Topology;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
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
        return factoryBean -> {
            factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
                @Override
                public void configureTopology(Topology topology) {
                    JobTrackerTopology.addTo(topology, config, serdes, meters);
                }
            });
            // Sets errors.dead.letter.queue.topic.name: the LogAndContinue handlers then write poison records there.
            factoryBean.setDeadLetterTopicName(Topics.JOB_TRACKER_DLT.name());
        };
    }
}
