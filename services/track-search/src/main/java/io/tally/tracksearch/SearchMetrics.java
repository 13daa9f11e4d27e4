package io.tally.tracksearch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/**
 * The {@code search-track} task's search metrics: {@code tally.search.requests{adapter,result}} with result found,
 * not_found, retried (a passing failure with deliveries left, which goes to a retry topic) or failed (a failure
 * retrying cannot fix, which fails the task at once), and the timer {@code tally.search.latency{adapter}} around each
 * adapter call. Searches whose retries are spent and unreadable requests are counted by the worker SDK
 * ({@code tally.worker.tasks}). Known gap: a task redelivered after a crash is counted again; the topics, not these
 * counters, are exact.
 */
final class SearchMetrics {

    static final String REQUESTS = "tally.search.requests";
    static final String LATENCY = "tally.search.latency";

    private final Counter found;
    private final Counter notFound;
    private final Counter retried;
    private final Counter failed;
    private final Timer latency;

    SearchMetrics(MeterRegistry registry, String adapter) {
        found = requests(registry, adapter, "found");
        notFound = requests(registry, adapter, "not_found");
        retried = requests(registry, adapter, "retried");
        failed = requests(registry, adapter, "failed");
        latency = Timer.builder(LATENCY).tag("adapter", adapter).description("Duration of one adapter search")
                .publishPercentileHistogram().register(registry);
    }

    private static Counter requests(MeterRegistry registry, String adapter, String result) {
        return Counter.builder(REQUESTS).tag("adapter", adapter).tag("result", result)
                .description("Search requests by outcome").register(registry);
    }

    <T> T timed(Supplier<T> search) {
        return latency.record(search);
    }

    void found() {
        found.increment();
    }

    void notFound() {
        notFound.increment();
    }

    void retried() {
        retried.increment();
    }

    void failed() {
        failed.increment();
    }
}
