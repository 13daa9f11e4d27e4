package io.tally.jobsapi.view;

import io.tally.events.JobState;
import io.tally.events.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An in-memory secondary index of the job view: every job's sort key (newest first) and the few fields the list
 * filters on, kept beside the global store by the store's own update processor ({@link JobViewTopology}). Listing a
 * page walks this index and reads only that page's jobs from the store, instead of deserializing and sorting the whole
 * view per request. It also tells listeners about every change, which drives the dashboard's live updates.
 * <p>
 * Known gaps: a page read while the global thread applies an update may see a job in its old position for that one
 * read (the index and store are updated one after the other, not atomically); listeners run on the global stream
 * thread, so they must hand work off and return at once.
 */
public class JobIndex {

    /** What the list filters and sorts on, and the overview charts count. */
    public record Summary(String jobId, JobState state, String pipeline, Instant startedAt, Instant createdAt,
            Instant completedAt) {

        static Summary of(JobStatus status) {
            Instant created = status.getCreatedAt();
            return new Summary(status.getJobId(), status.getState(), status.getPipeline(),
                    created != null ? created : status.getFirstSeenAt(), created, status.getCompletedAt());
        }
    }

    /** Newest first by start, then by job id, so the order is total and stable across pages. */
    record SortKey(Instant startedAt, String jobId) {
        static final Comparator<SortKey> NEWEST_FIRST = Comparator
                .comparing(SortKey::startedAt, Comparator.reverseOrder())
                .thenComparing(SortKey::jobId);
    }

    /** One page of matching job ids, and how many jobs match in all. */
    public record Page(List<String> jobIds, long total) {
    }

    private final ConcurrentSkipListMap<SortKey, Summary> sorted = new ConcurrentSkipListMap<>(SortKey.NEWEST_FIRST);
    private final Map<String, SortKey> keys = new ConcurrentHashMap<>();
    private final List<Consumer<JobStatus>> listeners = new CopyOnWriteArrayList<>();

    /** Empties the index before it is loaded from a restored store. */
    void clear() {
        sorted.clear();
        keys.clear();
    }

    /** Adds a job read from the restored store, without telling the listeners. */
    void load(String jobId, JobStatus status) {
        put(jobId, status);
    }

    /** Records the new status of {@code jobId} (null: the job was removed) and tells the listeners. */
    void update(String jobId, JobStatus status) {
        if (status == null) {
            SortKey old = keys.remove(jobId);
            if (old != null) {
                sorted.remove(old);
            }
            return;
        }
        put(jobId, status);
        for (Consumer<JobStatus> listener : listeners) {
            listener.accept(status);
        }
    }

    private void put(String jobId, JobStatus status) {
        Summary summary = Summary.of(status);
        SortKey key = new SortKey(summary.startedAt(), jobId);
        SortKey old = keys.put(jobId, key);
        if (old != null && !old.equals(key)) {
            sorted.remove(old);
        }
        sorted.put(key, summary);
    }

    /**
     * The ids of page {@code page} (zero-based, {@code size} per page) of the jobs matching both filters, newest first.
     *
     * @param state    only jobs in this state, or null for all
     * @param pipeline only jobs of this pipeline, or null for all
     */
    public Page page(JobState state, String pipeline, int page, int size) {
        Predicate<Summary> matches = summary -> (state == null || summary.state() == state)
                && (pipeline == null || pipeline.equals(summary.pipeline()));
        long first = (long) page * size;
        long total = 0;
        List<String> ids = new ArrayList<>(size);
        for (Summary summary : sorted.values()) {
            if (matches.test(summary)) {
                if (total >= first && ids.size() < size) {
                    ids.add(summary.jobId());
                }
                total++;
            }
        }
        return new Page(ids, total);
    }

    /** Every job's summary, newest first. */
    public List<Summary> summaries() {
        return List.copyOf(sorted.values());
    }

    /** Jobs in the index. */
    public int size() {
        return keys.size();
    }

    /** Calls {@code listener} with every later status change; it runs on the global stream thread. */
    public void addListener(Consumer<JobStatus> listener) {
        listeners.add(listener);
    }

    /** Stops calling {@code listener}. */
    public void removeListener(Consumer<JobStatus> listener) {
        listeners.remove(listener);
    }
}
