package io.tally.jobsapi.health;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code kafkaBroker} health component: UP when the cluster answers {@code describeCluster} within 2 s. Not in the
 * readiness group: the view keeps answering from its store during a short broker outage.
 */
@Component("kafkaBrokerHealthIndicator")
public class KafkaBrokerHealthIndicator implements HealthIndicator {

    private static final int TIMEOUT_MS = 2000;

    private final Admin admin;

    public KafkaBrokerHealthIndicator(Admin admin) {
        this.admin = admin;
    }

    @Override
    public Health health() {
        try {
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
            String clusterId = cluster.clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            return Health.up().withDetail("clusterId", clusterId).withDetail("brokers", brokers).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down(e).build();
        } catch (Exception e) {
            return Health.down(e).build();
        }
    }
}
