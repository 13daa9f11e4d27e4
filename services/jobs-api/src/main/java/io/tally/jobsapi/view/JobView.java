package io.tally.jobsapi.view;

import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.events.TaskResult;
import io.tally.events.WorkerHeartbeat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Reads the global job, item, idempotency, pipeline definition, end reason and worker stores of this instance. Every call throws {@link ViewNotReadyException} until
 * the streams client is RUNNING, so a half-restored view never answers "not found" for a job that exists.
 * Lists page through the {@link JobIndex} and read only the page's jobs from the store. Known gap:
 * {@link #allJobs()} copies the whole view per call (admin stats and cleanup only); {@link #items} scans and
 * deserializes all of one job's items per call (fine for thousands of items per job, not for millions).
 */
@Component
public class JobView {

    /** Runs accepted here whose QUEUED status the view may not have read back yet; bounded, oldest dropped first. */
    private static final int ACCEPTED_RUNS = 1_000;

    private final StreamsBuilderFactoryBean streams;
    private final JobIndex index;
    private final Map<String, JobStatus> accepted = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobStatus> eldest) {
            return size() > ACCEPTED_RUNS;
        }
    });

    public JobView(StreamsBuilderFactoryBean streams, JobIndex index) {
        this.streams = streams;
        this.index = index;
    }

    /** One page of a job's items, in item id order, and how many of its items match in all. */
    public record ItemListing(List<ItemProcessed> items, long total) {
    }

    /** One page of jobs, newest first, and how many jobs match in all. */
    public record Listing(List<JobStatus> jobs, long total) {
    }

    /**
     * Page {@code page} ({@code size} per page) of the jobs in {@code state} (null: any) of {@code pipeline} (null: any),
     * newest first (creation time, else when the tracker first saw the job).
     */
    public Listing list(JobState state, String pipeline, int page, int size) {
        return read(() -> {
            ReadOnlyKeyValueStore<String, JobStatus> store = store(JobViewTopology.JOBS_STORE);
            JobIndex.Page ids = index.page(state, pipeline, page, size);
            List<JobStatus> jobs = new ArrayList<>(ids.jobIds().size());
            for (String jobId : ids.jobIds()) {
                // A job tombstoned between the index walk and this read is simply left out of the page.
                JobStatus job = store.get(jobId);
                if (job != null) {
                    jobs.add(job);
                }
            }
            return new Listing(jobs, ids.total());
        });
    }

    /** Every job's summary from the index, newest first (no store reads). */
    public List<JobIndex.Summary> summaries() {
        return read(() -> {
            store(JobViewTopology.JOBS_STORE);
            return index.summaries();
        });
    }

    /**
     * The latest status of {@code jobId}, or empty if the view has no such job. A run this instance accepted a moment
     * ago is there as its QUEUED status ({@link #accepted}) until the view has read that status back: a client that
     * asks for the job right after its 202 sees it.
     */
    public Optional<JobStatus> job(String jobId) {
        return read(() -> {
            JobStatus status = this.<JobStatus>store(JobViewTopology.JOBS_STORE).get(jobId);
            if (status != null) {
                accepted.remove(jobId);
                return Optional.of(status);
            }
            return Optional.ofNullable(accepted.get(jobId));
        });
    }

    /** Remembers the QUEUED status of a run this instance has just written, for {@link #job} (read your writes). */
    public void accepted(JobStatus queued) {
        accepted.put(queued.getJobId(), queued);
    }

    /**
     * Page {@code page} ({@code size} per page) of the items of {@code jobId} (latest attempt of each), in item id
     * order, whose outcome is {@code outcome} (null: any) and whose item id or error contains {@code text} ignoring
     * case (null or blank: any). A job with no items yet gives an empty listing; whether the job exists is the
     * caller's question ({@link #job}).
     */
    public ItemListing items(String jobId, ItemOutcome outcome, String text, int page, int size) {
        String needle = text == null || text.isBlank() ? null : text.strip().toLowerCase(Locale.ROOT);
        long first = (long) page * size;
        return read(() -> {
            List<ItemProcessed> items = new ArrayList<>(Math.min(size, 256));
            long total = 0;
            // A job's items are in one of the two stores: a service-wired or outside producer's job in the items
            // store, an engine job's tasks (as their latest results) in the task store.
            List<ItemProcessed> all = new ArrayList<>();
            try (KeyValueIterator<String, ItemProcessed> scan = this.<ItemProcessed>store(JobViewTopology.ITEMS_STORE)
                    .prefixScan(JobViewTopology.itemKeyPrefix(jobId), new StringSerializer())) {
                scan.forEachRemaining(entry -> all.add(entry.value));
            }
            try (KeyValueIterator<String, TaskResult> scan = this.<TaskResult>store(JobViewTopology.TASK_ITEMS_STORE)
                    .prefixScan(JobViewTopology.itemKeyPrefix(jobId), new StringSerializer())) {
                scan.forEachRemaining(entry -> {
                    if (entry.value != null) {
                        all.add(JobViewTopology.TaskItemStoreUpdater.item(entry.value));
                    }
                });
            }
            for (ItemProcessed item : all) {
                if (item != null && matches(item, outcome, needle)) {
                    if (total >= first && items.size() < size) {
                        items.add(item);
                    }
                    total++;
                }
            }
            return new ItemListing(items, total);
        });
    }

    private static boolean matches(ItemProcessed item, ItemOutcome outcome, String needle) {
        if (outcome != null && item.getOutcome() != outcome) {
            return false;
        }
        return needle == null || item.getItemId().toLowerCase(Locale.ROOT).contains(needle)
                || (item.getError() != null && item.getError().toLowerCase(Locale.ROOT).contains(needle));
    }

    /** Every job in the view, in no particular order. */
    public List<JobStatus> allJobs() {
        return read(() -> {
            List<JobStatus> jobs = new ArrayList<>();
            try (KeyValueIterator<String, JobStatus> all = this.<JobStatus>store(JobViewTopology.JOBS_STORE).all()) {
                all.forEachRemaining(entry -> jobs.add(entry.value));
            }
            return jobs;
        });
    }

    /** The first use of idempotency key {@code key}, or empty if the view has not seen it. */
    public Optional<IdempotencyKeyUsed> idempotencyKey(String key) {
        return read(() -> Optional.ofNullable(this.<IdempotencyKeyUsed>store(JobViewTopology.IDEMPOTENCY_STORE).get(key)));
    }

    /**
     * Every published version of pipeline {@code name}, or of every pipeline when {@code name} is null, in key order
     * ({@code <name>@<version>}, so grouped by name; versions sort as text, callers order them).
     */
    public List<PipelineDefinitionPublished> definitions(String name) {
        return read(() -> {
            ReadOnlyKeyValueStore<String, PipelineDefinitionPublished> store = store(JobViewTopology.DEFINITIONS_STORE);
            List<PipelineDefinitionPublished> versions = new ArrayList<>();
            try (KeyValueIterator<String, PipelineDefinitionPublished> scan = name == null ? store.all()
                    : store.prefixScan(PublishedDefinitions.versionsOf(name), new StringSerializer())) {
                scan.forEachRemaining(entry -> {
                    if (entry.value != null) {
                        versions.add(entry.value);
                    }
                });
            }
            return versions;
        });
    }

    /** Why {@code jobId} ended as it did ({@code JobCompleted.reason}), or empty when it has not ended or gave none. */
    public Optional<String> endReason(String jobId) {
        return read(() -> Optional.ofNullable(this.<String>store(JobViewTopology.REASONS_STORE).get(jobId)));
    }

    /** The last heartbeat of every worker instance the view has, in instance id order. */
    public List<WorkerHeartbeat> workers() {
        return read(() -> {
            List<WorkerHeartbeat> workers = new ArrayList<>();
            try (KeyValueIterator<String, WorkerHeartbeat> all = this.<WorkerHeartbeat>store(JobViewTopology.WORKERS_STORE).all()) {
                all.forEachRemaining(entry -> {
                    if (entry.value != null) {
                        workers.add(entry.value);
                    }
                });
            }
            return workers;
        });
    }

    /** The last heartbeat of worker instance {@code instanceId}, or empty when the view has none. */
    public Optional<WorkerHeartbeat> worker(String instanceId) {
        return read(() -> Optional.ofNullable(this.<WorkerHeartbeat>store(JobViewTopology.WORKERS_STORE).get(instanceId)));
    }

    /** Whether the view answers now. */
    public boolean ready() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        return kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING;
    }

    // The store can close under a reader during a rebalance or shutdown: that is "not ready", not a server error.
    private static <T> T read(Supplier<T> query) {
        try {
            return query.get();
        } catch (InvalidStateStoreException e) {
            throw new ViewNotReadyException(e.getMessage());
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            throw new ViewNotReadyException("streams state is " + (kafkaStreams == null ? "not started" : kafkaStreams.state()));
        }
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
