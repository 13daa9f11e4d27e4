package io.tally.jobsapi.admin;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import java.util.HashMap;
import java.util.Map;

/** One long-lived Kafka admin client for stats and the broker health check, with the service's broker settings. */
@Configuration(proxyBeanMethods = false)
class AdminClientConfiguration {

    @Bean(destroyMethod = "close")
    Admin tallyAdminClient(KafkaAdmin kafkaAdmin) {
        Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "tally-jobs-api-admin");
        return Admin.create(config);
    }
}
