package io.tally.common.youtube;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;

/**
 * One daily bucket of YouTube Data API units as this instance spends them: work asks first ({@link #require}) and is
 * refused with a clear reason when it would not fit, each call is charged ({@link #charge}) before it is sent (Google
 * charges even failed calls), and the count starts again at midnight in the reset zone (Google resets at midnight
 * Pacific Time). A {@code quotaExceeded} answer from YouTube empties the bucket until the reset ({@link #exhausted}).
 * Metrics: {@code tally.youtube.quota.units{bucket,api}} (units spent, a counter) and
 * {@code tally.youtube.quota.remaining{bucket}} (units left today, a gauge).
 * Known gap: the count is in memory per instance; a restart forgets what was spent today and several instances (or
 * other users of the same Google project) each count only their own calls, so YouTube's own {@code quotaExceeded}
 * stays the final word.
 */
public final class YouTubeQuota {

    /** The bucket of every call except search.list (and videos.insert) in Google's current model. */
    public static final String GENERAL = "general";
    /** search.list's own bucket in Google's current model. */
    public static final String SEARCH = "search";

    static final String UNITS = "tally.youtube.quota.units";
    static final String REMAINING = "tally.youtube.quota.remaining";

    private final String bucket;
    private final long dailyUnits;
    private final ZoneId resetZone;
    private final Clock clock;
    private final MeterRegistry meters;
    private LocalDate day;
    private long spent;

    /**
     * @param bucket     the bucket's name, the {@code bucket} tag of the metrics
     * @param dailyUnits units this bucket may spend per day
     * @param resetZone  the zone whose midnight starts a new day
     * @param clock      the time source (tests move it past midnight)
     * @param meters     where the metrics go
     */
    public YouTubeQuota(String bucket, long dailyUnits, ZoneId resetZone, Clock clock, MeterRegistry meters) {
        if (dailyUnits < 0) {
            throw new IllegalArgumentException("daily units must not be negative: " + dailyUnits);
        }
        this.bucket = bucket;
        this.dailyUnits = dailyUnits;
        this.resetZone = resetZone;
        this.clock = clock;
        this.meters = meters;
        this.day = today();
        Gauge.builder(REMAINING, this, YouTubeQuota::remaining).tag("bucket", bucket).baseUnit("units")
                .description("YouTube Data API units this instance may still spend today").register(meters);
    }

    /** Units left today. */
    public synchronized long remaining() {
        rollOver();
        return Math.max(0, dailyUnits - spent);
    }

    /**
     * Refuses work that needs more than what is left today; charges nothing.
     *
     * @throws YouTubeQuotaExceededException naming the units needed, the units left and the reset time
     */
    public synchronized void require(long units) {
        long left = remaining();
        if (units > left) {
            throw new YouTubeQuotaExceededException("YouTube quota budget: %s needed, %s left today (%s)"
                    .formatted(units(units), units(left), resetDescription()));
        }
    }

    /** Records {@code units} spent on one call of {@code api}. */
    public synchronized void charge(String api, long units) {
        rollOver();
        spent += units;
        Counter.builder(UNITS).tag("bucket", bucket).tag("api", api).baseUnit("units")
                .description("YouTube Data API units spent").register(meters).increment(units);
    }

    /** {@link #require} and {@link #charge} at once, so concurrent callers cannot both take the last units. */
    public synchronized void acquire(String api, long units) {
        require(units);
        charge(api, units);
    }

    /** YouTube answered {@code quotaExceeded}: whatever this instance counted, nothing is left until the reset. */
    public synchronized void exhausted() {
        rollOver();
        spent = Math.max(spent, dailyUnits);
    }

    /** For messages: {@code resets 00:00 America/Los_Angeles}. */
    public String resetDescription() {
        return "resets 00:00 " + resetZone.getId();
    }

    private void rollOver() {
        LocalDate now = today();
        if (!now.equals(day)) {
            day = now;
            spent = 0;
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), resetZone);
    }

    private static String units(long units) {
        return String.format(Locale.US, "%,d %s", units, units == 1 ? "unit" : "units");
    }
}
