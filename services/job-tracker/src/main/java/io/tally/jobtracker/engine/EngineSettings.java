package io.tally.jobtracker.engine;

import java.time.Duration;

/**
 * The engine's defaults for what a definition leaves out, and its limits.
 *
 * @param defaultTaskTimeout how long one attempt of a task may take when its stage names no timeout
 * @param defaultJobDeadline how long a job may run when its definition names no deadline
 * @param resultInlineLimit  the largest job result (UTF-8 JSON bytes) carried inline on the job's events; a bigger one
 *                           is stored in the artifact store and the events carry its reference
 */
public record EngineSettings(Duration defaultTaskTimeout, Duration defaultJobDeadline, long resultInlineLimit) {

    /** The default inline limit: 256 KiB, a quarter of the 1 MiB record size the topics keep by default. */
    public static final long DEFAULT_RESULT_INLINE_LIMIT = 256 * 1024;

    /** Settings with the default result inline limit. */
    public EngineSettings(Duration defaultTaskTimeout, Duration defaultJobDeadline) {
        this(defaultTaskTimeout, defaultJobDeadline, DEFAULT_RESULT_INLINE_LIMIT);
    }
}
