package io.tally.scheduler.cron;

import java.time.Instant;

/**
 * One schedule instant the leader must handle now.
 *
 * @param instant the schedule instant
 * @param emit    whether to emit a trigger for it (false: record it as skipped)
 * @param missed  whether it was missed (older than the grace period) rather than on time
 */
public record DueInstant(Instant instant, boolean emit, boolean missed) {
}
