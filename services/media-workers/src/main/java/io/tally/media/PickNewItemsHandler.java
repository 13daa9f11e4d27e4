package io.tally.media;

import io.tally.media.history.MediaHistory;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItem;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.PickNewItemsInput;
import io.tally.tasks.media.PickNewItemsOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pick-new-items}: the seed's dedupe. Of a source's items it leaves out those the history has DONE or
 * DEAD_LETTERED (a dead letter is queued again only through a redrive) and those another job requested less than
 * {@code requested-ttl} ago, and records the rest as REQUESTED by this job before it answers them. A redelivered pick
 * of the same job picks its own REQUESTED items again. Known gap: two picks running at the same instant on two
 * instances can both request an item (the history is read, then written, not claimed atomically); the second
 * processing then rewrites the same DONE.
 */
final class PickNewItemsHandler implements TaskHandler.Work<PickNewItemsInput, PickNewItemsOutput> {

    static final String TASK_TYPE = "pick-new-items";
    private static final Logger LOG = LoggerFactory.getLogger(PickNewItemsHandler.class);

    private final MediaHistory history;
    private final Duration requestedTtl;
    private final Clock clock;

    PickNewItemsHandler(MediaHistory history, Duration requestedTtl, Clock clock) {
        this.history = history;
        this.requestedTtl = requestedTtl;
        this.clock = clock;
    }

    @Override
    public PickNewItemsOutput run(PickNewItemsInput input, TaskContext context) {
        Map<String, MediaHistoryEntry> table = history.table();
        Instant now = clock.instant();
        Set<String> seen = new HashSet<>();
        List<MediaItem> picked = new ArrayList<>();
        int done = 0;
        int deadLettered = 0;
        int elsewhere = 0;
        for (MediaItem item : input.getItems()) {
            if (!seen.add(item.getVideoId())) {
                continue;
            }
            MediaHistoryEntry known = table.get(item.getVideoId());
            if (known == null) {
                picked.add(item);
            } else if (known.getState() == MediaItemState.DONE) {
                done++;
            } else if (known.getState() == MediaItemState.DEAD_LETTERED) {
                deadLettered++;
            } else if (!known.getJobId().equals(input.getJobId()) && known.getAt().plus(requestedTtl).isAfter(now)) {
                elsewhere++;
            } else {
                picked.add(item);
            }
        }
        history.writeAll(picked.stream().map(item -> MediaHistoryEntry.newBuilder().setVideoId(item.getVideoId())
                .setState(MediaItemState.REQUESTED).setJobId(input.getJobId()).setUrl(item.getUrl())
                .setTitle(item.getTitle()).setAt(now).build()).toList());
        String summary = "%d new of %d listed (%d already done, %d dead-lettered, %d requested by another job)"
                .formatted(picked.size(), seen.size(), done, deadLettered, elsewhere);
        LOG.info("Job {}: {}", input.getJobId(), summary);
        return PickNewItemsOutput.newBuilder().setItems(picked).setListed(seen.size()).setAlreadyDone(done)
                .setDeadLettered(deadLettered).setRequestedElsewhere(elsewhere).setSummary(summary).build();
    }
}
