package io.tally.jobtracker;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.SingleObjectSerde;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.common.artifacts.ArtifactProperties;
import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.artifacts.FileArtifactStore;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.engine.JobRun;
import io.tally.events.engine.TaskRun;
import io.tally.jobtracker.engine.EngineSettings;
import io.tally.jobtracker.engine.RegistryTaskCodec;
import io.tally.jobtracker.engine.StoredDefinitions;
import io.tally.jobtracker.engine.TaskCodec;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the job tracker's Processor-API topology. A plain function: Spring only wires it, and tests drive it with
 * {@code TopologyTestDriver}. Every node and store has a fixed name, so changelog topics keep their names across
 * releases.
 */
public final class JobTrackerTopology {

    public static final String CREATED_SOURCE = "job-created-source";
    public static final String ITEMS_SOURCE = "item-processed-source";
    public static final String STAGES_SOURCE = "stage-reported-source";
    public static final String TRACKER_PROCESSOR = "job-tracker";
    public static final String COMPLETED_SINK = "job-completed-sink";
    public static final String STALLED_SINK = "job-stalled-sink";
    public static final String STATUS_SINK = "job-status-sink";
    public static final String TRIGGERS_SOURCE = "pipeline-triggers-source";
    public static final String TRIGGERS_REKEY = "pipeline-triggers-by-job";
    public static final String TRIGGERS_BY_JOB_SINK = "pipeline-triggers-by-job-sink";
    public static final String TRIGGERS_BY_JOB_SOURCE = "pipeline-triggers-by-job-source";
    public static final String RESULTS_SOURCE = "task-results-source";
    public static final String CANCEL_SOURCE = "job-cancel-requests-source";
    public static final String PURGE_SOURCE = "job-purge-requests-source";
    public static final String DEFINITIONS_SOURCE = "pipeline-definitions-source";
    public static final String DEFINITIONS_LOADER = "pipeline-definitions-loader";
    public static final String TASKS_SINK = "task-requests-sink";
    public static final String CANCELLED_SINK = "jobs-cancelled-sink";

    /** Job id → {@link JobStatus}: counts, state, stages and timestamps of each job. */
    public static final String JOBS_STORE = "tracker-jobs";
    /** (job id, item id) → latest outcome and attempt: the dedupe state of items sent without an ordinal. */
    public static final String ITEMS_STORE = "tracker-items";
    /** Job id → {@link OrdinalMarks}: the dedupe state of the job's items sent with an ordinal (ADR 0023). */
    public static final String ORDINALS_STORE = "tracker-ordinal-marks";
    /** (due time, kind, job id) → nothing: stall, deadline and expiry timers in due order. */
    public static final String TIMERS_STORE = "tracker-timers";

    /** Job id → the engine's run of a pipeline definition (ADR 0015). */
    public static final String RUNS_STORE = "engine-runs";
    /** (job id, stage, element) → the engine's task: attempt, state, input and output. */
    public static final String TASKS_STORE = "engine-tasks";
    /** {@code <name>@<version>} → pipeline definition; a global store, so every task sees every version. */
    public static final String DEFINITIONS_STORE = "engine-definitions";
    /**
     * Cache key → {@code CachedResult}, from the compacted {@link Topics#RESULT_CACHE}: a global store, since a run
     * with the same key lands on another job's partition. The engine writes and tombstones the topic (ADR 0019).
     */
    public static final String RESULT_CACHE_STORE = "engine-result-cache";
    public static final String RESULT_CACHE_SOURCE = "engine-result-cache-source";
    public static final String RESULT_CACHE_LOADER = "engine-result-cache-loader";
    public static final String RESULT_CACHE_SINK = "engine-result-cache-sink";

    /** Decoded job statuses kept per task (see {@link ObjectCachingKeyValueStore}); a few MB at most. */
    static final int JOBS_CACHED_PER_TASK = 10_000;
    /** Decoded ordinal marks kept per task: at most 1,000 x ordinal-limit / 4 bytes, 16 MB at the default limit. */
    static final int ORDINAL_MARKS_CACHED_PER_TASK = 1_000;

    private JobTrackerTopology() {
    }

    /** A new topology with the tracker and the engine in it, the engine's task values encoded through the registry. */
    public static Topology build(TrackerProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return addTo(new Topology(), config, serdes, meters, new RegistryTaskCodec(serdes));
    }

    /** A new topology with the tracker and the engine in it. */
    public static Topology build(TrackerProperties config, AvroSerdes serdes, MeterRegistry meters, TaskCodec codec) {
        return addTo(new Topology(), config, serdes, meters, codec);
    }

    /** A new topology with the tracker and the engine in it, with the engine's limits and artifact store. */
    public static Topology build(TrackerProperties config, AvroSerdes serdes, MeterRegistry meters, TaskCodec codec,
                                 EngineProperties engine, ArtifactStore artifacts) {
        return addTo(new Topology(), config, serdes, meters, codec, engine, artifacts);
    }

    /**
     * Adds the tracker and the engine with the default engine limits and the default artifact directory (see
     * {@link ArtifactProperties}); for tools that run the tracker outside Spring.
     */
    public static Topology addTo(Topology topology, TrackerProperties config, AvroSerdes serdes, MeterRegistry meters,
                                 TaskCodec codec) {
        return addTo(topology, config, serdes, meters, codec, EngineProperties.defaults(),
                new FileArtifactStore(new ArtifactProperties(null).dir()));
    }

    /** Adds the tracker's and the engine's sources, processors, stores and sinks to {@code topology}. */
    public static Topology addTo(Topology topology, TrackerProperties config, AvroSerdes serdes, MeterRegistry meters,
                                 TaskCodec codec, EngineProperties engine, ArtifactStore artifacts) {
        Serde<String> keys = Serdes.String();
        TrackerMetrics metrics = new TrackerMetrics(meters);
        addTriggerRekeying(topology, serdes);
        addDefinitions(topology, serdes);
        addResultCache(topology, serdes);
        source(topology, CREATED_SOURCE, Topics.JOB_CREATED, serdes);
        source(topology, ITEMS_SOURCE, Topics.ITEM_PROCESSED, serdes);
        source(topology, STAGES_SOURCE, Topics.STAGE_REPORTED, serdes);
        source(topology, TRIGGERS_BY_JOB_SOURCE, Topics.TRIGGERS_BY_JOB, serdes);
        source(topology, RESULTS_SOURCE, Topics.TASK_RESULTS, serdes);
        source(topology, CANCEL_SOURCE, Topics.JOB_CANCEL_REQUESTS, serdes);
        source(topology, PURGE_SOURCE, Topics.JOB_PURGE_REQUESTS, serdes);
        EngineSettings settings = new EngineSettings(config.taskTimeout(), config.maxJobAge(),
                engine.resultInlineLimit().toBytes());
        topology.addProcessor(TRACKER_PROCESSOR, () -> new JobTrackerProcessor(config, metrics,
                        context -> new StoredDefinitions(context.getStateStore(DEFINITIONS_STORE)), codec, settings,
                        artifacts),
                CREATED_SOURCE, ITEMS_SOURCE, STAGES_SOURCE, TRIGGERS_BY_JOB_SOURCE, RESULTS_SOURCE, CANCEL_SOURCE,
                PURGE_SOURCE);
        topology.addStateStore(ObjectCachingKeyValueStore.wrapping(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(JOBS_STORE), keys, jobStatusStoreSerde()).withCachingEnabled(),
                JOBS_CACHED_PER_TASK), TRACKER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ITEMS_STORE), Serdes.Bytes(), ItemMark.SERDE), TRACKER_PROCESSOR);
        // No record cache below: the object cache already writes each job's marks once per commit.
        topology.addStateStore(ObjectCachingKeyValueStore.wrapping(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ORDINALS_STORE), keys, OrdinalMarks.SERDE),
                ORDINAL_MARKS_CACHED_PER_TASK), TRACKER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TIMERS_STORE), Serdes.Bytes(), Serdes.ByteArray()), TRACKER_PROCESSOR);
        sink(topology, COMPLETED_SINK, Topics.JOB_COMPLETED, serdes);
        sink(topology, STALLED_SINK, Topics.JOB_STALLED, serdes);
        sink(topology, STATUS_SINK, Topics.JOB_STATUS, serdes);
        sink(topology, CANCELLED_SINK, Topics.JOBS_CANCELLED, serdes);
        sink(topology, RESULT_CACHE_SINK, Topics.RESULT_CACHE, serdes);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUNS_STORE), keys,
                SingleObjectSerde.of(JobRun::toByteBuffer, JobRun::fromByteBuffer)), TRACKER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TASKS_STORE), Serdes.Bytes(),
                SingleObjectSerde.of(TaskRun::toByteBuffer, TaskRun::fromByteBuffer)), TRACKER_PROCESSOR);
        // Task requests go to the topic of their task type, named in their headers; the value is already encoded.
        topology.addSink(TASKS_SINK, (key, value, context) -> TaskHeaders.requestTopic(new String(
                        context.headers().lastHeader(TaskHeaders.TASK_TYPE).value(), StandardCharsets.UTF_8)),
                Serdes.String().serializer(), Serdes.ByteArray().serializer(), TRACKER_PROCESSOR);
        return topology;
    }

    /** Triggers arrive keyed by trigger id; the engine needs them keyed by job id, next to the job's other events. */
    private static void addTriggerRekeying(Topology topology, AvroSerdes serdes) {
        source(topology, TRIGGERS_SOURCE, Topics.PIPELINE_TRIGGERS, serdes);
        topology.addProcessor(TRIGGERS_REKEY, () -> new Processor<String, PipelineTriggered, String, PipelineTriggered>() {
            private ProcessorContext<String, PipelineTriggered> context;

            @Override
            public void init(ProcessorContext<String, PipelineTriggered> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, PipelineTriggered> record) {
                if (record.value() == null) {
                    throw new PoisonRecordException("Trigger with key '%s' has no value".formatted(record.key()));
                }
                context.forward(record.withKey(record.value().getJobId()));
            }
        }, TRIGGERS_SOURCE);
        topology.addSink(TRIGGERS_BY_JOB_SINK, Topics.TRIGGERS_BY_JOB.name(), Serdes.String().serializer(),
                serdes.serde(PipelineTriggered.class).serializer(), TRIGGERS_REKEY);
    }

    /** Every task reads every definition version from a global store, filled from the compacted definitions topic. */
    private static void addDefinitions(Topology topology, AvroSerdes serdes) {
        addGlobalTable(topology, DEFINITIONS_STORE, DEFINITIONS_SOURCE, DEFINITIONS_LOADER, Topics.PIPELINE_DEFINITIONS,
                serdes);
    }

    /** Every task reads every result cache entry from a global store, filled from the compacted cache topic. */
    private static void addResultCache(Topology topology, AvroSerdes serdes) {
        addGlobalTable(topology, RESULT_CACHE_STORE, RESULT_CACHE_SOURCE, RESULT_CACHE_LOADER, Topics.RESULT_CACHE,
                serdes);
    }

    /** A global store holding a compacted topic as a table: the latest value per key, a tombstone deletes. */
    private static <V> void addGlobalTable(Topology topology, String storeName, String sourceName, String loaderName,
                                           TopicSpec<V> topic, AvroSerdes serdes) {
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName),
                        Serdes.String(), serdes.valueSerde(topic)).withLoggingDisabled(),
                sourceName, Serdes.String().deserializer(), serdes.valueSerde(topic).deserializer(), topic.name(),
                loaderName, () -> new Processor<String, V, Void, Void>() {
                    private KeyValueStore<String, V> store;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        store = context.getStateStore(storeName);
                    }

                    @Override
                    public void process(Record<String, V> record) {
                        if (record.key() != null) {
                            // put(key, null) deletes: a tombstone removes the entry.
                            store.put(record.key(), record.value());
                        }
                    }
                });
    }

    private static void source(Topology topology, String name, TopicSpec<?> topic, AvroSerdes serdes) {
        topology.addSource(name, Serdes.String().deserializer(), serdes.valueSerde(topic).deserializer(), topic.name());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void sink(Topology topology, String name, TopicSpec<?> topic, AvroSerdes serdes) {
        topology.addSink(name, topic.name(), Serdes.String().serializer(), (org.apache.kafka.common.serialization.Serializer)
                serdes.valueSerde(topic).serializer(), TRACKER_PROCESSOR);
    }

    /**
     * The job store keeps {@link JobStatus} in Avro's single-object encoding (schema fingerprint + body): internal
     * state needs no registry round trip, and the fingerprint lets a later release detect an old layout.
     */
    static Serde<JobStatus> jobStatusStoreSerde() {
        return SingleObjectSerde.of(JobStatus::toByteBuffer, JobStatus::fromByteBuffer);
    }
}
