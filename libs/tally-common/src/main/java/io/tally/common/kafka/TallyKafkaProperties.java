package io.tally.common.kafka;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Kafka settings every Tally service shares. Broker settings stay under Spring Boot's {@code spring.kafka.*}.
 *
 * @param registryUrl         schema registry base URL for the Apicurio client: {@code .../apis/registry/v2} (Apicurio 2.x)
 *                            or {@code .../apis/registry/v3} (Apicurio 3.x)
 * @param autoRegisterSchemas whether producers register schemas they do not find; turn off in production when
 *                            schemas are registered at deploy time
 * @param partitions          partitions of every job-keyed topic this service creates (co-partitioning needs one value)
 * @param replicationFactor   replicas of every topic this service creates
 * @param createTopics        whether the service creates missing catalogue topics at start
 */
@Validated
@ConfigurationProperties("tally.kafka")
public record TallyKafkaProperties(
        @NotBlank @DefaultValue("http://localhost:8081/apis/registry/v2") String registryUrl,
        @DefaultValue("true") boolean autoRegisterSchemas,
        @Min(1) @DefaultValue("6") int partitions,
        @Min(1) @DefaultValue("1") short replicationFactor,
        @DefaultValue("true") boolean createTopics) {
}
