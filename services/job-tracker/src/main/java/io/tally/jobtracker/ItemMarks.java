package io.tally.jobtracker;

import io.tally.events.ItemProcessed;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where the tracker keeps each item's {@link ItemMark} (ADR 0023): an item with an ordinal below the limit in its
 * job's {@link OrdinalMarks}, one record per job; any other item under its (job, item id) key, one record per item.
 * The same item must always come with the same ordinal or always without: its two identities are not linked.
 */
final class ItemMarks {

    private final KeyValueStore<Bytes, ItemMark> perItem;
    private final KeyValueStore<String, OrdinalMarks> perJob;
    private final int ordinalLimit;
    /** The job marks the last {@link #get} found (null: none), so that the {@link #put} after it needs no lookup. */
    private String lastJobId;
    private OrdinalMarks lastMarks;

    ItemMarks(KeyValueStore<Bytes, ItemMark> perItem, KeyValueStore<String, OrdinalMarks> perJob, int ordinalLimit) {
        this.perItem = perItem;
        this.perJob = perJob;
        this.ordinalLimit = ordinalLimit;
    }

    /** The item's latest mark, or null when the job has not seen it. */
    ItemMark get(ItemProcessed item) {
        if (isOrdinal(item)) {
            OrdinalMarks marks = perJob.get(item.getJobId());
            lastJobId = item.getJobId();
            lastMarks = marks;
            return marks == null ? null : marks.get(item.getOrdinal());
        }
        return perItem.get(ItemKey.of(item.getJobId(), item.getItemId()));
    }

    /**
     * Records the item's mark; {@code expectedItems} sizes a job's first ordinal marks (0 when not yet known). Meant to
     * follow the {@link #get} of the same item, with no other change to the job's marks in between.
     */
    void put(ItemProcessed item, ItemMark mark, int expectedItems) {
        if (isOrdinal(item)) {
            OrdinalMarks marks = item.getJobId().equals(lastJobId) ? lastMarks : perJob.get(item.getJobId());
            lastJobId = null;
            lastMarks = null;
            if (marks == null) {
                marks = OrdinalMarks.forItems(Math.min(Math.max(expectedItems, item.getOrdinal() + 1), ordinalLimit));
            }
            marks.put(item.getOrdinal(), mark);
            // Put back even when changed in place: that marks the cached value for writing at the next commit.
            perJob.put(item.getJobId(), marks);
        } else {
            perItem.put(ItemKey.of(item.getJobId(), item.getItemId()), mark);
        }
    }

    /** Forgets every mark of the job. */
    void deleteJob(String jobId) {
        lastJobId = null;
        lastMarks = null;
        perJob.delete(jobId);
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, ItemMark> iterator =
                     perItem.prefixScan(ItemKey.jobPrefix(jobId), (topic, prefix) -> prefix.get())) {
            iterator.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(perItem::delete);
    }

    private boolean isOrdinal(ItemProcessed item) {
        Integer ordinal = item.getOrdinal();
        return ordinal != null && ordinal < ordinalLimit;
    }
}
