package io.tally.scheduler;

import java.time.Instant;

/**
 * One schedule the scheduler knows: a configured one ({@code tally.scheduler.schedules}) or one that the latest
 * published version of a pipeline definition declares. The leader fires every enabled one alike, whatever its source.
 * Known gap: {@code appliesFrom} comes from the publisher's clock, so a skew between machines moves it by that much.
 *
 * @param spec        what fires, when and with which parameters; its name is the schedule's identity (the key of its
 *                    {@code ScheduleFired} records and part of its trigger ids)
 * @param source      {@value #CONFIGURED}, or {@code <pipeline>@<version>} of the definition that declares it
 * @param enabled     whether it fires; a definition may declare a schedule that does not
 * @param appliesFrom the earliest instant it may fire for: when the definition version that set its current timing
 *                    (cron, zone, enabled) was published, so a changed cron never fires a "missed" instant that the
 *                    old cron did not have; null for a configured schedule
 */
public record Schedule(ScheduleSpec spec, String source, boolean enabled, Instant appliesFrom) {

    /** The source of a schedule from {@code tally.scheduler.schedules}. */
    public static final String CONFIGURED = "config";

    /** A schedule of {@code tally.scheduler.schedules}: always enabled, applying from the replica's start. */
    public static Schedule configured(ScheduleSpec spec) {
        return new Schedule(spec, CONFIGURED, true, null);
    }

    /** The schedule's identity: its name, or {@code <pipeline>/<schedule>} for one a definition declares. */
    public String name() {
        return spec.name();
    }

    /**
     * The instant after which due instants are looked for: the last one handled, or the replica's start for a
     * schedule that never fired (no backfill), but never before {@link #appliesFrom()}.
     */
    public Instant handledUpTo(Instant lastFired, Instant startedAt) {
        Instant from = lastFired != null ? lastFired : startedAt;
        return appliesFrom != null && appliesFrom.isAfter(from) ? appliesFrom : from;
    }
}
