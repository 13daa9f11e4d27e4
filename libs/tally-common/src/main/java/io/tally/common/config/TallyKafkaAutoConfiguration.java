package io.tally.common.config;

import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.health.SchemaRegistryHealthIndicator;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.springframework.kafka.core.KafkaAdmin;

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
