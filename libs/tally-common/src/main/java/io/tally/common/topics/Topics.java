package io.tally.common.topics;

import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobStalled;
import io.tally.events.JobStatus;
import io.tally.events.StageReported;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic catalogue: every topic Tally reads or writes, in one place. Services refer to these constants, never to
 * literal names. Naming and partitioning rules are in docs/adr/0004-topic-naming-and-partitioning.md.
 */
public final class Topics {

    /** Partitions of every topic keyed by job id; equal counts keep a job's events in one stream task. */
    public static final int JOB_PARTITIONS = 6;

    private static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(28);

    public static final TopicSpec<JobCreated> JOB_CREATED = new TopicSpec<>(
            "tally.jobs.created", JobCreated.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    public static final TopicSpec<ItemProcessed> ITEM_PROCESSED = new TopicSpec<>(
            "tally.jobs.items", ItemProcessed.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    public static final TopicSpec<StageReported> STAGE_REPORTED = new TopicSpec<>(
            "tally.jobs.stages", StageReported.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    public static final TopicSpec<JobCompleted> JOB_COMPLETED = new TopicSpec<>(
            "tally.jobs.completed", JobCompleted.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    public static final TopicSpec<JobStalled> JOB_STALLED = new TopicSpec<>(
            "tally.jobs.stalled", JobStalled.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Latest status per job: a table, so it is compacted. */
    public static final TopicSpec<JobStatus> JOB_STATUS = new TopicSpec<>(
            "tally.jobs.status", JobStatus.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /** Records the job tracker could not deserialize or process, with the reason in {@code __streams.errors.*} headers. */
    public static final TopicSpec<byte[]> JOB_TRACKER_DLT = new TopicSpec<>(
            "tally.dlt.job-tracker", byte[].class, 1, false, TopicConfig.CLEANUP_POLICY_DELETE, DEAD_LETTER_RETENTION);

    /** Every topic of the catalogue, inputs before outputs. */
    public static final List<TopicSpec<?>> ALL = List.of(
            JOB_CREATED, ITEM_PROCESSED, STAGE_REPORTED, JOB_COMPLETED, JOB_STALLED, JOB_STATUS, JOB_TRACKER_DLT);

    private Topics() {
    }

    /**
     * Admin-client definitions of every catalogue topic.
     *
     * @param jobPartitions     partitions of the job-keyed topics (one value for all of them, for co-partitioning)
     * @param replicationFactor replicas per partition
     */
    public static List<NewTopic> newTopics(int jobPartitions, short replicationFactor) {
        return ALL.stream()
                .map(topic -> topic.toNewTopic(topic.jobKeyed() ? jobPartitions : topic.partitions(), replicationFactor))
                .toList();
    }

    /** Looks a topic up by name, for tools that take a topic from the command line. */
    public static TopicSpec<?> byName(String name) {
        return ALL.stream()
                .filter(topic -> topic.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not in the topic catalogue; known: "
                        + ALL.stream().map(TopicSpec::name).toList()));
    }
}
