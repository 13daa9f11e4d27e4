package io.tally.testsupport;

import io.tally.common.kafka.AvroSerdes;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The beans every {@link TallyServiceTest} gets: a client for the test broker that speaks the service's serdes, task
 * requests sent as the engine sends them, and plain HTTP to the service's port.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TallyServiceTestConfiguration {

    @Bean
    KafkaTestClient kafkaTestClient(@Value("${spring.embedded.kafka.brokers}") String brokers, AvroSerdes serdes) {
        return new KafkaTestClient(brokers, serdes);
    }

    /** Task requests as the engine sends them, and their results, for services that are workers. */
    @Bean
    TaskRequests taskRequests(KafkaTestClient kafka, AvroSerdes serdes) {
        return new TaskRequests(kafka, serdes);
    }

    @Bean
    ServiceHttp serviceHttp(Environment environment) {
        return new ServiceHttp(environment);
    }
}
