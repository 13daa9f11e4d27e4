package io.tally.jobtracker;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.SingleObjectSerde;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.JobStatus;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
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

    /** Job id → {@link JobStatus}: counts, state, stages and timestamps of each job. */
    public static final String JOBS_STORE = "tracker-jobs";
    /** (job id, item id) → latest outcome and attempt: the dedupe state. */
    public static final String ITEMS_STORE = "tracker-items";
    /** (due time, kind, job id) → nothing: stall, deadline and expiry timers in due order. */
    public static final String TIMERS_STORE = "tracker-timers";

    /** Decoded job statuses kept per task (see {@link ObjectCachingKeyValueStore}); a few MB at most. */
    static final int JOBS_CACHED_PER_TASK = 10_000;

    private JobTrackerTopology() {
    }

    /** A new topology with the tracker in it. */
    public static Topology build(TrackerProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return addTo(new Topology(), config, serdes, meters);
    }

    /** Adds the tracker's sources, processor, stores and sinks to {@code topology}. */
    public static Topology addTo(Topology topology, TrackerProperties config, AvroSerdes serdes, MeterRegistry meters) {
        Serde<String> keys = Serdes.String();
        TrackerMetrics metrics = new TrackerMetrics(meters);
        source(topology, CREATED_SOURCE, Topics.JOB_CREATED, serdes);
        source(topology, ITEMS_SOURCE, Topics.ITEM_PROCESSED, serdes);
        source(topology, STAGES_SOURCE, Topics.STAGE_REPORTED, serdes);
        topology.addProcessor(TRACKER_PROCESSOR, () -> new JobTrackerProcessor(config, metrics),
                CREATED_SOURCE, ITEMS_SOURCE, STAGES_SOURCE);
        topology.addStateStore(ObjectCachingKeyValueStore.wrapping(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(JOBS_STORE), keys, jobStatusStoreSerde()).withCachingEnabled(),
                JOBS_CACHED_PER_TASK), TRACKER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ITEMS_STORE), Serdes.Bytes(), ItemMark.SERDE), TRACKER_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TIMERS_STORE), Serdes.Bytes(), Serdes.ByteArray()), TRACKER_PROCESSOR);
        sink(topology, COMPLETED_SINK, Topics.JOB_COMPLETED, serdes);
        sink(topology, STALLED_SINK, Topics.JOB_STALLED, serdes);
        sink(topology, STATUS_SINK, Topics.JOB_STATUS, serdes);
        return topology;
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
