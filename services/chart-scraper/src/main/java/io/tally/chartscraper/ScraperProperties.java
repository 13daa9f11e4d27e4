package io.tally.chartscraper;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The scraper's settings, bound from {@code tally.scraper.*}: the chart source the {@code scrape-chart} task fetches from.
 * Retries are the worker SDK's ({@code tally.worker.*}).
 *
 * @param source    which {@code ChartSource} fetches charts: {@code sample} (offline, the bundled 2026-01-25 chart) or
 *                  {@code beatport} (the live page)
 * @param sample    settings of the offline sample source
 * @param beatport  settings of the Beatport page source
 */
@Validated
@ConfigurationProperties("tally.scraper")
public record ScraperProperties(
        @NotNull @DefaultValue("sample") SourceKind source,
        @Valid @NotNull @DefaultValue Sample sample,
        @Valid @NotNull @DefaultValue Beatport beatport) {

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
}
