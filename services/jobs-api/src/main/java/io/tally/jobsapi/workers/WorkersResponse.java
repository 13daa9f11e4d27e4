package io.tally.jobsapi.workers;

import java.time.Instant;
import java.util.List;

/**
 * The workers view with its freshness: {@code asOf} is when this answer was made from the view, {@code newestHeartbeat}
 * the latest heartbeat the view has read (how far behind the view can be), {@code staleAfterMs} the age after which
 * an instance's heartbeat counts as lost (the largest of {@code 3 × heartbeatIntervalMs}), {@code groupsReadAt} when
 * the consumer group membership was read from Kafka (cached a few seconds) and {@code groupsError} why it is missing.
 */
public record WorkersResponse(Instant asOf, Instant newestHeartbeat, long staleAfterMs, Instant groupsReadAt,
                              String groupsError, List<WorkerResponse> workers) {
}
