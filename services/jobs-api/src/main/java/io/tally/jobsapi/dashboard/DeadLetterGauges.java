package io.tally.jobsapi.dashboard;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.jobsapi.admin.KafkaStats;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Publishes gauge {@code tally.api.dead.letters} (Prometheus {@code tally_api_dead_letters}) tagged {@code topic}: the
 * records held by each dead-letter topic, the catalogue's and every task type's ({@code tally.dlt.tasks.<type>}).
 * Depths are re-read in the background every {@code tally.api.dashboard.dead-letter-refresh}, so a scrape never waits
 * on the brokers. Known gap: while Kafka does
 * not answer, the gauges keep their last value (a warning is logged), and they read 0 until the first answer.
 */
@Component
public class DeadLetterGauges implements SmartLifecycle {

    /** Meter name; the shared Grafana dashboard queries {@code tally_api_dead_letters}. */
    public static final String METER = "tally.api.dead.letters";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterGauges.class);

    private final KafkaStats stats;
    private final DashboardProperties properties;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private volatile ScheduledExecutorService refresher;

    public DeadLetterGauges(KafkaStats stats, DashboardProperties properties, MeterRegistry meters) {
        this.stats = stats;
        this.properties = properties;
        this.meters = meters;
        for (TopicSpec<byte[]> topic : Topics.DEAD_LETTERS) {
            gauge(topic.name());
        }
    }

    /** Reads the depths now; the background refresh calls this too. A task type's new DLT gets its gauge here. */
    public void refresh() {
        try {
            stats.deadLetterDepths().forEach((topic, depth) -> gauge(topic).set(depth));
        } catch (RuntimeException e) {
            log.warn("Could not read dead-letter depths, the gauges keep their last value: {}", e.getMessage());
        }
    }

    private AtomicLong gauge(String topic) {
        return depths.computeIfAbsent(topic, name -> {
            AtomicLong depth = new AtomicLong();
            Gauge.builder(METER, depth, AtomicLong::doubleValue)
                    .tag("topic", name)
                    .description("Records held by the dead-letter topic")
                    .register(meters);
            return depth;
        });
    }

    @Override
    public void start() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "tally-api-dead-letter-gauges");
            thread.setDaemon(true);
            return thread;
        });
        long every = properties.deadLetterRefresh().toMillis();
        executor.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
        refresher = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = refresher;
        refresher = null;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return refresher != null;
    }
}
