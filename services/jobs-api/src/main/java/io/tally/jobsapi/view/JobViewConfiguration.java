package io.tally.jobsapi.view;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/** Wires {@link JobViewTopology} into Spring Kafka's streams lifecycle; health follows it through tally-common. */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class JobViewConfiguration {

    @Bean
    JobIndex jobIndex() {
        return new JobIndex();
    }

    @Bean
    StreamsBuilderFactoryBeanConfigurer jobViewTopology(AvroSerdes serdes, JobIndex index) {
        return StreamsWiring.builder(builder -> JobViewTopology.addTo(builder, serdes, index));
    }
}
