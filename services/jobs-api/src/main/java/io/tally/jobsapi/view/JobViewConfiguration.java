package io.tally.jobsapi.view;

import io.tally.common.kafka.AvroSerdes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.apache.kafka.streams.StreamsBuilder;

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
        return factoryBean -> factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
            @Override
            public void configureBuilder(StreamsBuilder builder) {
                JobViewTopology.addTo(builder, serdes, index);
            }
        });
    }
}
