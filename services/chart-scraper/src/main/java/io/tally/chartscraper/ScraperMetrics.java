package io.tally.chartscraper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** The scraper's Micrometer meters: charts by source and outcome, and tracks published. */
@Component
public class ScraperMetrics {

    private final MeterRegistry meters;

    public ScraperMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * One chart attempt that ended: {@code outcome} is published, error (an attempt the worker SDK retries) or failed
     * (a page that is not a chart, not retried).
     */
    public void chart(String source, String outcome) {
        Counter.builder("tally.scraper.charts").description("Chart fetches by source and outcome")
                .tag("source", source).tag("outcome", outcome).register(meters).increment();
    }

    /** Tracks in a published chart. */
    public void tracks(String source, int count) {
        Counter.builder("tally.scraper.tracks").description("Tracks published in charts")
                .tag("source", source).register(meters).increment(count);
    }
}
