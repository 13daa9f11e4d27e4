package io.tally.jobtracker.engine;

import java.time.Duration;

/**
 * The engine's defaults for what a definition leaves out.
 *
 * @param defaultTaskTimeout how long one attempt of a task may take when its stage names no timeout
 * @param defaultJobDeadline how long a job may run when its definition names no deadline
 */
public record EngineSettings(Duration defaultTaskTimeout, Duration defaultJobDeadline) {
}
