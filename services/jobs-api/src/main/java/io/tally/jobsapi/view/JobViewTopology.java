package io.tally.jobsapi.view;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobStatus;
import io.tally.events.TaskResult;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the jobs API's read-only topology: global stores, so every API instance holds the whole job view, the latest
 * attempt of every item of every job, every used idempotency key, every published pipeline definition version and
 * the reason of every job that ended with one (docs/adr/0007-job-state-through-a-materialized-view.md). A plain function: Spring only wires it.
 * The job store is a global store with its own update processor (the same timestamped store a global table builds),
 * so that every change also reaches the {@link JobIndex}: the list pages from that index, and the dashboard's live
 * updates listen to it. Known gap: a global store is restored from the topic itself, so its values keep the registry
 * framing and every read deserializes through the (caching) Avro serde. The item store is keyed by (job id, item id)
 * ({@link #itemKey}), so one job's items are a RocksDB prefix scan; it is rebuilt through its update processor on
 * restore (global stores added with a processor reprocess their topic), so it is never a raw copy of the topic.
 * Tombstoning a job (admin cleanup) deletes its items too. Known gaps of the item store: items stay in a local store
 * after the topic's retention dropped them, until that instance's state directory is wiped; and when a restore
 * replays the item topic after the status topic, the items of a job tombstoned within the item topic's retention come
 * back (invisible: item reads answer 404 for an unknown job).
 */
public final class JobViewTopology {

    /** Job id → latest {@code JobStatus}, from {@link Topics#JOB_STATUS}; tombstones delete. */
    public static final String JOBS_STORE = "api-job-view";
    /** Idempotency key → {@code IdempotencyKeyUsed}, from {@link Topics#API_IDEMPOTENCY}. */
    public static final String IDEMPOTENCY_STORE = "api-idempotency-keys";
    /**
     * (Job id, item id) → latest attempt's {@code ItemProcessed}, from {@link Topics#ITEM_PROCESSED}; see
     * {@link #itemKey} for the key layout.
     */
    public static final String ITEMS_STORE = "api-job-items";
    /**
     * (Job id, item id) → latest attempt's {@code TaskResult} of each task of an engine job, from
     * {@link Topics#TASK_RESULTS} (kept as the topic's own record: a global store's values are serialized under the
     * source topic's subject); the item id is {@code <stage>} or {@code <stage>/<element>}, read as an item by
     * {@link TaskItemStoreUpdater#item}. Same key layout as {@link #ITEMS_STORE}.
     */
    public static final String TASK_ITEMS_STORE = "api-task-items";
    /**
     * {@code <name>@<version>} → {@code PipelineDefinitionPublished}, from {@link Topics#PIPELINE_DEFINITIONS} (compacted,
     * so the whole topic is every version ever published).
     */
    public static final String DEFINITIONS_STORE = "api-pipeline-definitions";
    /**
     * Job id → why it ended ({@code JobCompleted.reason}), from {@link Topics#JOB_COMPLETED}; only completions that
     * give a reason are kept, since the job store already has everything else a completion says.
     */
    public static final String REASONS_STORE = "api-job-end-reasons";
    /** Instance id → last {@code WorkerHeartbeat}, from {@link Topics#WORKER_HEARTBEATS}: the workers view. */
    public static final String WORKERS_STORE = "api-workers";
    public static final String WORKERS_SOURCE = "api-workers-source";
    public static final String JOBS_SOURCE = "api-job-status-source";
    public static final String DEFINITIONS_SOURCE = "api-pipeline-definitions-source";
    public static final String REASONS_SOURCE = "api-job-completed-source";
    public static final String ITEMS_SOURCE = "api-job-items-source";
    public static final String TASK_ITEMS_SOURCE = "api-task-items-source";
    public static final String IDEMPOTENCY_SOURCE = "api-idempotency-source";

    private JobViewTopology() {
    }

    /** Name of the processor that writes {@link #JOBS_STORE} and the index. */
    public static final String JOBS_UPDATER = "api-job-view-updater";

    /**
     * Separates job id and item id in {@link #ITEMS_STORE} keys. NUL encodes as a single 0x00 byte in UTF-8 and sorts
     * before every other character, so the prefix {@code jobId + NUL} matches exactly one job's items; job ids holding
     * NUL are refused by the item updater.
     */
    static final char ITEM_KEY_SEPARATOR = '\u0000';

    private static final Logger LOG = LoggerFactory.getLogger(JobViewTopology.class);

    /** The {@link #ITEMS_STORE} key of item {@code itemId} of job {@code jobId}. */
    public static String itemKey(String jobId, String itemId) {
        return itemKeyPrefix(jobId) + itemId;
    }

    /** The prefix shared by the {@link #ITEMS_STORE} keys of every item of {@code jobId} (and of no other job). */
    public static String itemKeyPrefix(String jobId) {
        return jobId + ITEM_KEY_SEPARATOR;
    }

    /** A new topology with both views in it, and an index nobody reads (for tests of the stores alone). */
    public static Topology build(AvroSerdes serdes) {
        return build(serdes, new JobIndex());
    }

    /** A new topology with both views in it; job changes also go to {@code index}. */
    public static Topology build(AvroSerdes serdes, JobIndex index) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes, index);
        return builder.build();
    }

    /** Adds the job store (feeding {@code index}) and the idempotency table to {@code builder}. */
    public static StreamsBuilder addTo(StreamsBuilder builder, AvroSerdes serdes, JobIndex index) {
        builder.addGlobalStore(
                Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(JOBS_STORE),
                        Serdes.String(), serdes.valueSerde(Topics.JOB_STATUS)).withLoggingDisabled(),
                Topics.JOB_STATUS.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(Topics.JOB_STATUS)).withName(JOBS_SOURCE),
                () -> new JobStoreUpdater(index));
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITEMS_STORE),
                        Serdes.String(), serdes.valueSerde(Topics.ITEM_PROCESSED)).withLoggingDisabled(),
                Topics.ITEM_PROCESSED.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(Topics.ITEM_PROCESSED)).withName(ITEMS_SOURCE),
                ItemStoreUpdater::new);
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TASK_ITEMS_STORE),
                        Serdes.String(), serdes.valueSerde(Topics.TASK_RESULTS)).withLoggingDisabled(),
                Topics.TASK_RESULTS.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(Topics.TASK_RESULTS)).withName(TASK_ITEMS_SOURCE),
                TaskItemStoreUpdater::new);
        globalTable(builder, Topics.API_IDEMPOTENCY, IDEMPOTENCY_SOURCE, IDEMPOTENCY_STORE, serdes);
        globalTable(builder, Topics.PIPELINE_DEFINITIONS, DEFINITIONS_SOURCE, DEFINITIONS_STORE, serdes);
        globalTable(builder, Topics.WORKER_HEARTBEATS, WORKERS_SOURCE, WORKERS_STORE, serdes);
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REASONS_STORE),
                        Serdes.String(), Serdes.String()).withLoggingDisabled(),
                Topics.JOB_COMPLETED.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(Topics.JOB_COMPLETED)).withName(REASONS_SOURCE),
                ReasonStoreUpdater::new);
        return builder;
    }

    /**
     * Keeps the latest attempt of each item: a record replaces the stored one unless the stored attempt is higher, so a
     * redelivery of the same attempt is harmless and an older attempt arriving late is ignored. Records that cannot
     * be an item of a job (tombstones, no job or item id, a key naming another job) are logged and skipped: this runs
     * on the global stream thread, where an exception would stop the whole view. Undeserializable records never get
     * here: the configured deserialization handler (LogAndContinue) drops them.
     */
    static final class ItemStoreUpdater implements Processor<String, ItemProcessed, Void, Void> {

        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, ItemProcessed> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            store = context.getStateStore(ITEMS_STORE);
        }

        @Override
        public void process(Record<String, ItemProcessed> record) {
            String invalid = invalid(record.key(), record.value());
            if (invalid != null) {
                LOG.warn("Skipping record {} of {}: {}", position(), Topics.ITEM_PROCESSED.name(), invalid);
                return;
            }
            ItemProcessed item = record.value();
            String key = itemKey(item.getJobId(), item.getItemId());
            ItemProcessed stored = store.get(key);
            if (stored == null || item.getAttempt() >= stored.getAttempt()) {
                store.put(key, item);
            }
        }

        private static String invalid(String key, ItemProcessed item) {
            if (item == null) {
                return "no value (a tombstone means nothing on a delete-policy topic)";
            }
            if (item.getJobId() == null || item.getJobId().isBlank()) {
                return "no job id";
            }
            if (item.getJobId().indexOf(ITEM_KEY_SEPARATOR) >= 0) {
                return "job id contains NUL";
            }
            if (item.getItemId() == null || item.getItemId().isBlank()) {
                return "no item id (job " + item.getJobId() + ")";
            }
            if (key != null && !key.equals(item.getJobId())) {
                return "key '" + key + "' is not the job id '" + item.getJobId() + "'";
            }
            if (item.getOutcome() == null) {
                return "no outcome (job " + item.getJobId() + ", item " + item.getItemId() + ")";
            }
            return null;
        }

        private String position() {
            return context.recordMetadata().map(RecordMetadata::partition).map(String::valueOf).orElse("?") + "@"
                    + context.recordMetadata().map(RecordMetadata::offset).map(String::valueOf).orElse("?");
        }
    }

    /**
     * Keeps the latest attempt of each task of an engine job as an item record with its worker and claim time, by the
     * same rule as {@link ItemStoreUpdater}. Results without a job or stage are skipped (the global thread must not
     * throw).
     */
    public static final class TaskItemStoreUpdater implements Processor<String, TaskResult, Void, Void> {

        private KeyValueStore<String, TaskResult> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(TASK_ITEMS_STORE);
        }

        @Override
        public void process(Record<String, TaskResult> record) {
            TaskResult result = record.value();
            if (result == null || result.getJobId() == null || result.getJobId().isBlank()
                    || result.getJobId().indexOf(ITEM_KEY_SEPARATOR) >= 0 || result.getStage() == null
                    || result.getOutcome() == null) {
                LOG.warn("Skipping a task result without a job, stage or outcome on {}", Topics.TASK_RESULTS.name());
                return;
            }
            String key = itemKey(result.getJobId(), itemId(result));
            TaskResult stored = store.get(key);
            if (stored == null || result.getAttempt() >= stored.getAttempt()) {
                store.put(key, result);
            }
        }

        private static String itemId(TaskResult result) {
            return result.getItemId() == null ? result.getStage() : result.getStage() + "/" + result.getItemId();
        }

        /** A task's latest attempt as an item of its job, with the worker that ran it and when it claimed it. */
        public static ItemProcessed item(TaskResult result) {
            String error = result.getError() == null ? null
                    : result.getError().getCode() + ": " + result.getError().getMessage();
            return ItemProcessed.newBuilder()
                    .setJobId(result.getJobId())
                    .setItemId(itemId(result))
                    .setOutcome(result.getOutcome())
                    .setAttempt(result.getAttempt())
                    .setError(error)
                    .setProcessedAt(result.getEndedAt())
                    .setWorker(result.getWorker())
                    .setClaimedAt(result.getStartedAt())
                    .build();
        }
    }

    /**
     * Keeps the reason of each completion that gives one, by job id. A job ends once, so the last reason wins; one
     * without a job id is skipped (on the global thread an exception would stop the whole view).
     */
    static final class ReasonStoreUpdater implements Processor<String, JobCompleted, Void, Void> {

        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(REASONS_STORE);
        }

        @Override
        public void process(Record<String, JobCompleted> record) {
            JobCompleted completed = record.value();
            if (completed != null && completed.getJobId() != null && completed.getReason() != null) {
                store.put(completed.getJobId(), completed.getReason());
            }
        }
    }

    /**
     * Writes each status (or tombstone) to the job store, then to the index. On init the store is already restored,
     * so the index starts as a copy of it; after that, this processor sees every change.
     */
    static final class JobStoreUpdater implements Processor<String, JobStatus, Void, Void> {

        private final JobIndex index;
        private TimestampedKeyValueStore<String, JobStatus> store;
        private KeyValueStore<String, ItemProcessed> items;
        private KeyValueStore<String, TaskResult> taskItems;

        JobStoreUpdater(JobIndex index) {
            this.index = index;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(JOBS_STORE);
            items = context.getStateStore(ITEMS_STORE);
            taskItems = context.getStateStore(TASK_ITEMS_STORE);
            index.clear();
            try (KeyValueIterator<String, ValueAndTimestamp<JobStatus>> all = store.all()) {
                all.forEachRemaining(entry -> {
                    if (entry.value != null && entry.value.value() != null) {
                        index.load(entry.key, entry.value.value());
                    }
                });
            }
        }

        @Override
        public void process(Record<String, JobStatus> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
                deleteItems(items, record.key());
                deleteItems(taskItems, record.key());
            } else {
                store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
            }
            index.update(record.key(), record.value());
        }

        /** A tombstoned job (admin cleanup) takes its item records with it. */
        private static <V> void deleteItems(KeyValueStore<String, V> items, String jobId) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            try (KeyValueIterator<String, V> scan = items.prefixScan(itemKeyPrefix(jobId),
                    new org.apache.kafka.common.serialization.StringSerializer())) {
                scan.forEachRemaining(entry -> keys.add(entry.key));
            }
            keys.forEach(items::delete);
        }
    }

    private static <V> void globalTable(StreamsBuilder builder, TopicSpec<V> topic, String sourceName, String storeName,
            AvroSerdes serdes) {
        builder.globalTable(topic.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(topic)).withName(sourceName),
                Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(storeName)
                        .withKeySerde(Serdes.String()).withValueSerde(serdes.valueSerde(topic)));
    }
}
