package io.tally.jobsapi.dashboard;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The dashboard's settings, bound from {@code tally.api.dashboard.*}.
 *
 * @param schedulerUrl       base URL of the scheduler service; the Schedules page reads {@code GET /api/schedules}
 *                           there
 * @param schedulerTimeout   connect and read timeout of that call; the page shows the error instead of hanging
 * @param deadLetterRefresh  how often the {@code tally.api.dead.letters} gauges re-read the dead-letter depths from
 *                           the brokers (a scrape never waits for Kafka)
 * @param liveTimeout        how long one server-sent-event stream of a job page stays open; the browser reconnects
 *                           by itself after that
 */
@Validated
@ConfigurationProperties("tally.api.dashboard")
public record DashboardProperties(
        @NotNull @DefaultValue("http://localhost:8082") URI schedulerUrl,
        @NotNull @DefaultValue("PT5S") Duration schedulerTimeout,
        @NotNull @DefaultValue("PT15S") Duration deadLetterRefresh,
        @NotNull @DefaultValue("PT30M") Duration liveTimeout) {
}
