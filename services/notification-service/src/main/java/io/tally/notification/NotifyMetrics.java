package io.tally.notification;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.jobs.NotificationKind;

/**
 * The service's own metrics. Known gap: counters move when a record is processed, so a transaction that aborts and
 * is retried counts again; the {@code tally.notifications.sent} topic, not these counters, is exact.
 */
final class NotifyMetrics {

    static final String REQUESTED = "tally.notify.requested";
    static final String SENT = "tally.notify.sent";
    static final String FAILED = "tally.notify.failed";
    static final String DUPLICATES = "tally.notify.duplicates";

    private final MeterRegistry registry;
    private final Counter duplicates;

    NotifyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duplicates = Counter.builder(DUPLICATES)
                .description("Events skipped because their notification had already been sent").register(registry);
    }

    void requested(NotificationKind kind) {
        Counter.builder(REQUESTED).tag("kind", kind.id())
                .description("Notifications decided (delivery intents written)").register(registry).increment();
    }

    void sent(String channel, NotificationKind kind) {
        Counter.builder(SENT).tag("channel", channel).tag("kind", kind.id())
                .description("Notifications a channel accepted").register(registry).increment();
    }

    void failed(String channel) {
        Counter.builder(FAILED).tag("channel", channel)
                .description("Notifications a channel still refused after the last retry").register(registry).increment();
    }

    void duplicate() {
        duplicates.increment();
    }
}
