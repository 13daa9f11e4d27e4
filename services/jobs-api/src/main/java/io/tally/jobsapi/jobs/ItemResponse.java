package io.tally.jobsapi.jobs;

import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import java.time.Instant;

/**
 * One item of a job as {@code GET /api/jobs/{jobId}/items} and the dashboard show it: the latest attempt the view has.
 *
 * @param itemId      id of the item, unique within its job
 * @param outcome     how the latest attempt ended
 * @param attempt     number of that attempt, starting at 1
 * @param processedAt when the worker finished that attempt
 * @param error       why the item failed or was skipped, or null when it succeeded
 * @param worker      the worker instance that ran that attempt, when known (every engine task's result names it)
 * @param claimedAt   when that worker claimed (started) the attempt, when known
 */
public record ItemResponse(String itemId, ItemOutcome outcome, int attempt, Instant processedAt, String error,
        String worker, Instant claimedAt) {

    /** The response for an item of the view. */
    public static ItemResponse of(ItemProcessed item) {
        return new ItemResponse(item.getItemId(), item.getOutcome(), item.getAttempt(), item.getProcessedAt(),
                item.getError(), item.getWorker(), item.getClaimedAt());
    }
}
