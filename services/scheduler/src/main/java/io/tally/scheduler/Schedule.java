package io.tally.scheduler;

import java.time.Instant;

/**
 * One schedule the scheduler knows: a configured one ({@code tally.scheduler.schedules}), one that the latest
 * published version of a pipeline definition declares (possibly enabled, disabled or deleted at run time), or one
 * created at run time through the API ({@code tally.scheduler.schedules} topic, see {@code ScheduleChanges}). The leader
 * fires every enabled one alike, whatever its source.
 * Known gap: {@code appliesFrom} comes from the publisher's clock, so a skew between machines moves it by that much.
 *
 * @param spec        what fires, when and with which parameters; its name is the schedule's identity (the key of its
 *                    {@code ScheduleFired} records and part of its trigger ids)
 * @param source      {@value #CONFIGURED}, {@code <pipeline>@<version>} of the definition that declares it, or
 *                    {@value #API} for one created at run time
 * @param enabled     whether it fires; a definition may declare a schedule that does not
 * @param appliesFrom the earliest instant it may fire for: when the definition version that set its current timing
 *                    (cron, zone, enabled) was published, or when it was created or enabled at run time, so a changed
 *                    cron or an enabled schedule never fires a "missed" instant from before; null for a configured one
 * @param change      the last run-time change (who, when), or null if it was never changed at run time
 */
public record Schedule(ScheduleSpec spec, String source, boolean enabled, Instant appliesFrom, Change change) {

    /** The source of a schedule from {@code tally.scheduler.schedules}. */
    public static final String CONFIGURED = "config";
    /** The source of a schedule created at run time through the API. */
    public static final String API = "api";

    /**
     * Who changed a schedule at run time, and when.
     *
     * @param by the caller: an API key's name or a JWT's subject
     * @param at when, by the clock of the replica that wrote the change
     */
    public record Change(String by, Instant at) {
    }

    /** A schedule never changed at run time. */
    public Schedule(ScheduleSpec spec, String source, boolean enabled, Instant appliesFrom) {
        this(spec, source, enabled, appliesFrom, null);
    }

    /** A schedule of {@code tally.scheduler.schedules}: always enabled, applying from the replica's start. */
    public static Schedule configured(ScheduleSpec spec) {
        return new Schedule(spec, CONFIGURED, true, null);
    }

    /** Where it comes from: {@code config}, {@code definition} or {@code api}. */
    public String origin() {
        return CONFIGURED.equals(source) || API.equals(source) ? source : "definition";
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
