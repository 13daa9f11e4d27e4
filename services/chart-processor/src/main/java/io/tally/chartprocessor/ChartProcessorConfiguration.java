package io.tally.chartprocessor;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.topics.Topics;
import io.tally.events.tasks.PickNewTracksInput;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.worker.TaskHandler;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Wires {@link ChartProcessorTopology} into Spring Kafka's streams lifecycle and dead-letter topic, and the
 * {@code pick-new-tracks} task of the worker SDK over its picks store. Spring's {@code StreamsBuilder} is built with
 * the streams properties, so explicit internal naming is enforced at start.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class ChartProcessorConfiguration {

    @Bean
    StreamsBuilderFactoryBeanConfigurer chartProcessorTopology(ProcessorProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return StreamsWiring.builder(Topics.CHART_PROCESSOR_DLT,
                builder -> ChartProcessorTopology.addTo(builder, config, serdes, meters));
    }

    /**
     * The {@code pick-new-tracks} task: it reads the decision {@link ChartProcessor}
     * kept in {@link ChartProcessorTopology#PICKS_STORE} through an interactive query of this instance's stores
     * ({@code tally.processor.pick.*} say how long it waits for it).
     */
    @Bean
    TaskHandler<PickNewTracksInput, PickNewTracksOutput> pickNewTracksTask(StreamsBuilderFactoryBean streams,
                                                                            ProcessorProperties config) {
        PickNewTracksHandler.Picks picks = jobId -> {
            KafkaStreams kafkaStreams = streams.getKafkaStreams();
            if (kafkaStreams == null) {
                throw new InvalidStateStoreException("the Kafka Streams client has not started");
            }
            ValueAndTimestamp<PickNewTracksOutput> picked = kafkaStreams.store(StoreQueryParameters.fromNameAndType(
                    ChartProcessorTopology.PICKS_STORE,
                    QueryableStoreTypes.<String, PickNewTracksOutput>timestampedKeyValueStore())).get(jobId);
            return picked == null ? null : picked.value();
        };
        return TaskHandler.of(PickNewTracksHandler.TASK_TYPE, PickNewTracksInput.class, PickNewTracksOutput.class,
                new PickNewTracksHandler(picks, config.pick().patience(), config.pick().pollInterval()));
    }
}
