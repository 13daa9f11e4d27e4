package io.tally.chartprocessor;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Wires {@link ChartProcessorTopology} into Spring Kafka's streams lifecycle and dead-letter topic. Spring's
 * {@code StreamsBuilder} is built with the streams properties, so explicit internal naming is enforced at start.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class ChartProcessorConfiguration {

    @Bean
    StreamsBuilderFactoryBeanConfigurer chartProcessorTopology(ProcessorProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return factoryBean -> {
            factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
                @Override
                public void configureBuilder(StreamsBuilder builder) {
                    ChartProcessorTopology.addTo(builder, config, serdes, meters);
                }
            });
            // Sets errors.dead.letter.queue.topic.name: the LogAndContinue handlers then write poison records there.
            factoryBean.setDeadLetterTopicName(Topics.CHART_PROCESSOR_DLT.name());
        };
    }
}
