package io.tally.jobsapi.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/** Formats times for the dashboard's templates ({@code ${@dashboardFormat.instant(job.createdAt)}}), always in UTC. */
@Component
public class DashboardFormat {

    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** {@code 2026-11-23 16:40:01 UTC}, or an em dash for null. */
    public String instant(Instant instant) {
        return instant == null ? "—" : INSTANT.format(instant);
    }

    /** ISO-8601 for {@code <time datetime>}, or empty for null. */
    public String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    /** Time from {@code start} to {@code end} (or to now while running), as {@code 1h 02m 03s}; a dash if unknown. */
    public String duration(Instant start, Instant end) {
        if (start == null) {
            return "—";
        }
        Duration length = Duration.between(start, end == null ? Instant.now() : end);
        if (length.isNegative()) {
            return "—";
        }
        long seconds = length.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format("%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format("%dh %02dm %02ds", seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    }
}
