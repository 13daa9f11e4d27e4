package io.tally.common.kafka;

import io.tally.common.topics.TopicSpec;
import java.util.function.Consumer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Hands a service's topology function to Spring Kafka's Streams lifecycle, so each service's configuration is one
 * line: Spring only wires, the topology stays a plain function that tests call directly.
 */
public final class StreamsWiring {

    private StreamsWiring() {
    }

    /**
     * A Processor-API topology, with the service's dead-letter topic: setting it makes the LogAndContinue handlers
     * write poison records there (KIP-1034's {@code errors.dead.letter.queue.topic.name}).
     */
    public static StreamsBuilderFactoryBeanConfigurer topology(TopicSpec<byte[]> deadLetters, Consumer<Topology> addTo) {
        return factoryBean -> {
            factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
                @Override
                public void configureTopology(Topology topology) {
                    addTo.accept(topology);
                }
            });
            factoryBean.setDeadLetterTopicName(deadLetters.name());
        };
    }

    /** A DSL topology, with the service's dead-letter topic as in {@link #topology}. */
    public static StreamsBuilderFactoryBeanConfigurer builder(TopicSpec<byte[]> deadLetters, Consumer<StreamsBuilder> addTo) {
        return factoryBean -> {
            builder(addTo).configure(factoryBean);
            factoryBean.setDeadLetterTopicName(deadLetters.name());
        };
    }

    /** A DSL topology without a dead-letter topic, for read-only views that log and skip bad records. */
    public static StreamsBuilderFactoryBeanConfigurer builder(Consumer<StreamsBuilder> addTo) {
        return factoryBean -> factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
            @Override
            public void configureBuilder(StreamsBuilder builder) {
                addTo.accept(builder);
            }
        });
    }
}
