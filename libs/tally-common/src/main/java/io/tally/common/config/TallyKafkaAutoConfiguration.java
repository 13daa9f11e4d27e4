package io.tally.common.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.health.SchemaRegistryHealthIndicator;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Sets up what every Tally service shares: the Avro serdes, the catalogue topics, and health that follows the
 * schema registry and (in Kafka Streams services) the streams state.
 */
@AutoConfiguration
@EnableConfigurationProperties(TallyKafkaProperties.class)
public class TallyKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AvroSerdes avroSerdes(TallyKafkaProperties properties) {
        return AvroSerdes.forRegistry(properties.registryUrl(), properties.autoRegisterSchemas());
    }

    /** Every Spring Kafka producer sends Avro records (and raw bytes, for dead letters) in the registry's format. */
    @Bean
    DefaultKafkaProducerFactoryCustomizer tallyAvroProducerFactoryCustomizer(AvroSerdes serdes) {
        return factory -> setValueSerializer(factory, serdes);
    }

    /**
     * Every Spring Kafka consumer reads Avro records checked against the catalogue. The ErrorHandlingDeserializer
     * turns a bad record into an error the container's error handler dead-letters, instead of a poll loop that fails.
     */
    @Bean
    DefaultKafkaConsumerFactoryCustomizer tallyAvroConsumerFactoryCustomizer(AvroSerdes serdes) {
        return factory -> setValueDeserializer(factory, serdes);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void setValueSerializer(DefaultKafkaProducerFactory factory, AvroSerdes serdes) {
        // They arrive configured for the registry; configuring them again with the plain client map resets that.
        // The flag must come first: the factory decides at set time whether to wrap the supplier in configure().
        factory.setConfigureSerializers(false);
        factory.setValueSerializerSupplier(serdes::recordOrBytesSerializer);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void setValueDeserializer(DefaultKafkaConsumerFactory factory, AvroSerdes serdes) {
        // As above: a second configure() with the plain client map would turn specific records into generic ones.
        factory.setConfigureDeserializers(false);
        factory.setValueDeserializerSupplier(() -> new ErrorHandlingDeserializer<>(serdes.catalogueDeserializer()));
    }

    @Bean
    @ConditionalOnProperty(prefix = "tally.kafka", name = "create-topics", havingValue = "true", matchIfMissing = true)
    KafkaAdmin.NewTopics tallyCatalogueTopics(TallyKafkaProperties properties) {
        return new KafkaAdmin.NewTopics(Topics.newTopics(properties.partitions(), properties.replicationFactor())
                .toArray(NewTopic[]::new));
    }

    @Bean
    @ConditionalOnMissingBean(name = "schemaRegistryHealthIndicator")
    SchemaRegistryHealthIndicator schemaRegistryHealthIndicator(TallyKafkaProperties properties) {
        return new SchemaRegistryHealthIndicator(properties.registryUrl());
    }

    /** Streams health rules, active in services that run a Kafka Streams topology through Spring Kafka. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StreamsBuilderFactoryBean.class)
    @ConditionalOnBean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_BUILDER_BEAN_NAME)
    static class StreamsHealthConfiguration {

        @Bean
        KafkaStreamsHealth kafkaStreamsHealthIndicator(ApplicationEventPublisher events) {
            return new KafkaStreamsHealth(events);
        }

        /** {@code tally_streams_running}: 1 while the streams client is RUNNING; the alert rules and dashboard use it. */
        @Bean
        MeterBinder tallyStreamsRunningGauge(KafkaStreamsHealth health) {
            return registry -> Gauge.builder("tally.streams.running", health,
                            streams -> streams.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                    .description("1 while this service's Kafka Streams client is RUNNING, else 0")
                    .register(registry);
        }

        @Bean
        StreamsBuilderFactoryBeanConfigurer tallyStreamsHealthConfigurer(KafkaStreamsHealth health) {
            return factoryBean -> {
                factoryBean.setStateListener(health);
                // A dead stream thread must show as a broken liveness probe, so the platform restarts the instance
                // instead of leaving it quietly idle.
                factoryBean.setStreamsUncaughtExceptionHandler(exception -> StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            };
        }
    }
}
