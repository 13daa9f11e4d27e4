package io.tally.worker.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member count of a consumer group from {@code Admin.describeConsumerGroups}, cached for a while so the rate
 * limiter does not ask the broker before every call. When the broker cannot be asked, the last known count (at
 * least 1) is used: a stale count only makes the jitter a little off.
 */
public final class ConsumerGroupSize implements IntSupplier, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupSize.class);
    private static final long ADMIN_TIMEOUT_SECONDS = 5;

    private final Admin admin;
    private final String groupId;
    private final Duration refresh;
    private final Clock clock;
    private int members = 1;
    private Instant expires = Instant.MIN;

    /**
     * @param adminConfig Kafka admin client settings (bootstrap servers and security)
     * @param groupId     the worker's consumer group
     * @param refresh     how long a count is reused
     */
    public ConsumerGroupSize(Map<String, Object> adminConfig, String groupId, Duration refresh) {
        this(Admin.create(adminConfig), groupId, refresh, Clock.systemUTC());
    }

    ConsumerGroupSize(Admin admin, String groupId, Duration refresh, Clock clock) {
        this.admin = admin;
        this.groupId = groupId;
        this.refresh = refresh;
        this.clock = clock;
    }

    @Override
    public synchronized int getAsInt() {
        Instant now = clock.instant();
        if (now.isBefore(expires)) {
            return members;
        }
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(groupId))
                    .describedGroups().get(groupId).get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            members = Math.max(1, description.members().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Could not count the members of consumer group {}; keeping {}: {}", groupId, members, e.toString());
        }
        expires = now.plus(refresh);
        return members;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(ADMIN_TIMEOUT_SECONDS));
    }
}
