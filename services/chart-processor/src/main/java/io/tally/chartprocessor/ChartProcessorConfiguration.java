package io.tally.chartprocessor;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.topics.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
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
        return StreamsWiring.builder(Topics.CHART_PROCESSOR_DLT,
                builder -> ChartProcessorTopology.addTo(builder, config, serdes, meters));
    }
}
