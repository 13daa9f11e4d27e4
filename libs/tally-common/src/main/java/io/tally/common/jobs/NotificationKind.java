package io.tally.common.jobs;

import io.tally.events.JobState;

/**
 * What a notification is about; its {@link #id()} is the prefix of the notification id and the metric tag. Shared by
 * the notification service, which names its notifications with it, and the exactly-once checker, which looks for them.
 */
public enum NotificationKind {
    COMPLETED("completed"),
    FAILED("failed"),
    TIMED_OUT("timed-out"),
    CANCELLED("cancelled"),
    STALLED("stalled"),
    DEAD_LETTER("dead-letter");

    private final String id;

    NotificationKind(String id) {
        this.id = id;
    }

    /** The lower-case name used in notification ids, {@code NotificationSent.kind} and metric tags. */
    public String id() {
        return id;
    }

    /** The kind whose {@link #id()} is {@code id}. */
    public static NotificationKind of(String id) {
        for (NotificationKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown notification kind '" + id + "'");
    }

    /** Whether the kind reports the end of a job (and so is followed by a {@code notify} stage report). */
    public boolean endsJob() {
        return this == COMPLETED || this == FAILED || this == TIMED_OUT || this == CANCELLED;
    }

    /**
     * The kind that reports a job ending in {@code state}, or null for a state that is not an end: {@link #FAILED}
     * covers a job that completed with failed items and one the engine ended FAILED (a stage that failed the job).
     */
    public static NotificationKind forJobEnd(JobState state) {
        return switch (state) {
            case COMPLETED -> COMPLETED;
            case COMPLETED_WITH_FAILURES, FAILED -> FAILED;
            case TIMED_OUT -> TIMED_OUT;
            case CANCELLED -> CANCELLED;
            default -> null;
        };
    }

    /** The id of this kind's notification about job {@code jobId}, for the kinds that report a job's end. */
    public String jobNotificationId(String jobId) {
        return id + ":" + jobId;
    }
}
