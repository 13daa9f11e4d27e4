package io.tally.chartscraper;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The scraper's settings, bound from {@code tally.scraper.*}.
 *
 * @param pipelines pipelines whose triggers this service scrapes a chart for; triggers of other pipelines are ignored
 * @param source    which {@code ChartSource} fetches charts: {@code sample} (offline, the bundled 2026-01-25 chart) or
 *                  {@code beatport} (the live page)
 * @param sample    settings of the offline sample source
 * @param beatport  settings of the Beatport page source
 * @param retry     how a failed fetch is retried before the trigger goes to the dead-letter topic
 */
@Validated
@ConfigurationProperties("tally.scraper")
public record ScraperProperties(
        @NotEmpty @DefaultValue("beatport-chart") List<String> pipelines,
        @NotNull @DefaultValue("sample") SourceKind source,
        @Valid @NotNull @DefaultValue Sample sample,
        @Valid @NotNull @DefaultValue Beatport beatport,
        @Valid @NotNull @DefaultValue Retry retry) {

    /** The available chart sources. */
    public enum SourceKind { SAMPLE, BEATPORT }

    /**
     * @param location Spring resource location of the sample chart JSON (format of shared/data/beatport-top100-sample.json)
     */
    public record Sample(@NotBlank @DefaultValue("classpath:charts/beatport-top100-sample.json") String location) {
    }

    /**
     * @param baseUrl        site root; the chart is {@code {baseUrl}/top-100} or {@code {baseUrl}/genre/{slug}/{id}/top-100}
     * @param connectTimeout TCP connect timeout
     * @param readTimeout    response read timeout
     * @param userAgent      browser-like User-Agent header; the site answers 403 to obvious bots
     */
    public record Beatport(
            @NotNull @DefaultValue("https://www.beatport.com") URI baseUrl,
            @NotNull @DefaultValue("5s") Duration connectTimeout,
            @NotNull @DefaultValue("20s") Duration readTimeout,
            @NotBlank @DefaultValue("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")
            String userAgent) {
    }

    /**
     * @param maxAttempts     deliveries of one trigger in all (first try included) before it is dead-lettered
     * @param initialInterval wait before the first retry
     * @param multiplier      growth of the wait between retries
     */
    public record Retry(
            @Min(1) @DefaultValue("3") int maxAttempts,
            @NotNull @DefaultValue("1s") Duration initialInterval,
            @DecimalMin("1.0") @DefaultValue("2.0") double multiplier) {
    }
}
