package io.tally.notification;

/** What a notification is about; its {@link #id()} is the prefix of the notification id and the metric tag. */
public enum Kind {
    COMPLETED("completed"),
    FAILED("failed"),
    TIMED_OUT("timed-out"),
    STALLED("stalled"),
    DEAD_LETTER("dead-letter");

    private final String id;

    Kind(String id) {
        this.id = id;
    }

    /** The lower-case name used in notification ids, {@code NotificationSent.kind} and metric tags. */
    public String id() {
        return id;
    }

    /** The kind whose {@link #id()} is {@code id}. */
    public static Kind of(String id) {
        for (Kind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown notification kind '" + id + "'");
    }

    /** Whether the kind reports the end of a job (and so is followed by a {@code notify} stage report). */
    public boolean endsJob() {
        return this == COMPLETED || this == FAILED || this == TIMED_OUT;
    }
}
