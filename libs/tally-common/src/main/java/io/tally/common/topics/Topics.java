package io.tally.common.topics;

import io.tally.events.AdminActionAudited;
import io.tally.events.CachedResult;
import io.tally.events.ChartPublished;
import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobCancelled;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobPurgeRequested;
import io.tally.events.JobStalled;
import io.tally.events.JobStatus;
import io.tally.events.NotificationRequested;
import io.tally.events.NotificationSent;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.events.PipelineTriggered;
import io.tally.events.PlaylistCreated;
import io.tally.events.ScheduleChanged;
import io.tally.events.ScheduleFired;
import io.tally.events.StageReported;
import io.tally.events.TaskProgress;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolved;
import io.tally.events.WorkerHeartbeat;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
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

    /** Requests to run a pipeline, keyed by trigger id. */
    public static final TopicSpec<PipelineTriggered> PIPELINE_TRIGGERS = new TopicSpec<>(
            "tally.pipeline.triggers", PipelineTriggered.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Last fired instant per schedule; the scheduler leader's memory, compacted. */
    public static final TopicSpec<ScheduleFired> SCHEDULES_FIRED = new TopicSpec<>(
            "tally.scheduler.fired", ScheduleFired.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /**
     * The same triggers keyed by job id: the engine re-keys {@link #PIPELINE_TRIGGERS} here so that a job's trigger
     * meets its task results and cancel requests in one stream task, whatever key the trigger's producer chose.
     */
    public static final TopicSpec<PipelineTriggered> TRIGGERS_BY_JOB = new TopicSpec<>(
            "tally.jobs.triggered", PipelineTriggered.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Charts by source key; compacted, so it is also the table of every chart edition seen. */
    public static final TopicSpec<ChartPublished> CHARTS_PUBLISHED = new TopicSpec<>(
            "tally.charts.published", ChartPublished.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /** The tracks table: latest resolution per track key. */
    public static final TopicSpec<TrackResolved> TRACKS = new TopicSpec<>(
            "tally.tracks", TrackResolved.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    public static final TopicSpec<PlaylistCreated> PLAYLISTS_CREATED = new TopicSpec<>(
            "tally.playlists.created", PlaylistCreated.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Notification history keyed by notification id; compacted, it is what makes each event notify once. */
    public static final TopicSpec<NotificationSent> NOTIFICATIONS_SENT = new TopicSpec<>(
            "tally.notifications.sent", NotificationSent.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /**
     * Notifications the notification service decided to send (delivery intents), keyed by notification id; written
     * in its Streams transaction and sent by its delivery consumer outside it (ADR 0009).
     */
    public static final TopicSpec<NotificationRequested> NOTIFICATIONS_REQUESTED = new TopicSpec<>(
            "tally.notifications.requested", NotificationRequested.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Idempotency keys of run requests to the jobs API, with their first answer; compacted. */
    public static final TopicSpec<IdempotencyKeyUsed> API_IDEMPOTENCY = new TopicSpec<>(
            "tally.api.idempotency", IdempotencyKeyUsed.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /** Every version of every pipeline definition, keyed by {@code <name>@<version>}; compacted, so it is the table. */
    public static final TopicSpec<PipelineDefinitionPublished> PIPELINE_DEFINITIONS = new TopicSpec<>(
            "tally.pipelines.definitions", PipelineDefinitionPublished.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /** How each task attempt ended, written by workers, keyed by job id so the engine's task for the job reads it. */
    public static final TopicSpec<TaskResult> TASK_RESULTS = new TopicSpec<>(
            "tally.tasks.results", TaskResult.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Progress reports of long tasks, keyed by job id; informational. */
    public static final TopicSpec<TaskProgress> TASK_PROGRESS = new TopicSpec<>(
            "tally.tasks.progress", TaskProgress.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE,
            Duration.ofDays(7));

    /** Requests to cancel a job, from the API and the command line, keyed by job id. */
    public static final TopicSpec<JobCancelRequested> JOB_CANCEL_REQUESTS = new TopicSpec<>(
            "tally.jobs.cancel-requests", JobCancelRequested.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE, null);

    /** Cancelled jobs, keyed by job id; compacted, so workers can read it as the table of jobs not to work on. */
    public static final TopicSpec<JobCancelled> JOBS_CANCELLED = new TopicSpec<>(
            "tally.jobs.cancelled", JobCancelled.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    // Issue 15, "Schedules and workers in any language" (schedules managed at run time).
    /**
     * Run-time state of each schedule (enabled, created, deleted through the scheduler's API), keyed by
     * {@code <pipeline>/<schedule>}; compacted, so it is the table every scheduler replica reads.
     */
    public static final TopicSpec<ScheduleChanged> SCHEDULES = new TopicSpec<>(
            "tally.scheduler.schedules", ScheduleChanged.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    // Issue 15, seed 002 (a worker pool): the workers view.
    /**
     * Each worker instance's last heartbeat ({@code WorkerHeartbeat}), keyed by instance id; compacted, so the latest
     * state per instance is the table the jobs API serves as the workers view. A tombstone forgets an instance.
     */
    public static final TopicSpec<WorkerHeartbeat> WORKER_HEARTBEATS = new TopicSpec<>(
            "tally.workers.heartbeats", WorkerHeartbeat.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    // Seed 003 (engine results): the engine's result cache, a table every engine task reads as a global store.
    /** Result cache entries keyed by pipeline, version and key hash; compacted, expired entries are tombstoned. */
    public static final TopicSpec<CachedResult> RESULT_CACHE = new TopicSpec<>(
            "tally.engine.result-cache", CachedResult.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);
    /** Admin requests to forget an ended job in the tracker and engine (deep cleanup, factory reset), by job id. */
    public static final TopicSpec<JobPurgeRequested> JOB_PURGE_REQUESTS = new TopicSpec<>(
            "tally.jobs.purge-requests", JobPurgeRequested.class, JOB_PARTITIONS, true, TopicConfig.CLEANUP_POLICY_DELETE,
            null);
    /** The audit trail of destructive admin actions (deep cleanup, factory reset), kept a year. */
    public static final TopicSpec<AdminActionAudited> ADMIN_AUDIT = new TopicSpec<>(
            "tally.admin.audit", AdminActionAudited.class, 1, false, TopicConfig.CLEANUP_POLICY_DELETE,
            Duration.ofDays(365));

    /** Records the job tracker could not deserialize or process, with the reason in {@code __streams.errors.*} headers. */
    public static final TopicSpec<byte[]> JOB_TRACKER_DLT = deadLetters("job-tracker");
    public static final TopicSpec<byte[]> CHART_PROCESSOR_DLT = deadLetters("chart-processor");
    public static final TopicSpec<byte[]> NOTIFICATION_SERVICE_DLT = deadLetters("notification-service");

    // Seed 001 (services/celebrity-workers): the celebrity entity table, its enriched profiles, and the dead letters of
    // its post-processor. Their values are Avro records of that module (io.tally.tasks.celebrity.CelebrityEntry and
    // CelebrityProfile), so they are typed SpecificRecord here and the module registers their contracts; they are not
    // in ALL, whose value types each register from this catalogue.
    /** Raw celebrity entries keyed {@code <celebrityId>/<source>}; compacted, so it is the entity table. */
    public static final TopicSpec<SpecificRecord> CELEBRITY_ENTRIES = new TopicSpec<>(
            "tally.celebrities.entries", SpecificRecord.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);
    /** Entries with weight and sentiment, keyed like the entry; compacted, the table the celebrities API reads. */
    public static final TopicSpec<SpecificRecord> CELEBRITY_PROFILES = new TopicSpec<>(
            "tally.celebrities.profiles", SpecificRecord.class, JOB_PARTITIONS, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);
    /** Entries the post-processor could not enrich, with the reason; kept 7 days, the seed's dead-letter queue. */
    public static final TopicSpec<byte[]> CELEBRITY_POST_PROCESSOR_DLT = new TopicSpec<>("tally.dlt.celebrity-post-processor",
            byte[].class, 1, false, TopicConfig.CLEANUP_POLICY_DELETE, Duration.ofDays(7));

    // Seed 002 (libs/tally-worker, sdk-pool): leader-only work. Nothing is written here: each role's consumer group
    // (tally-leader-<role>) is assigned its one partition, and the member that holds it is the role's leader.
    /** The lease topic of the worker SDK's leader election: one partition, no records. */
    public static final TopicSpec<byte[]> WORKER_LEASES = new TopicSpec<>("tally.workers.leases", byte[].class, 1, false,
            TopicConfig.CLEANUP_POLICY_DELETE, null);

    // Seed 002 (services/media-workers): the media history, keyed by video id. Its value is a record of that module
    // (io.tally.tasks.media.MediaHistoryEntry), so it is typed SpecificRecord here and not in ALL, like seed 001's.
    /** Each video's latest state (REQUESTED, DONE, DEAD_LETTERED); compacted, the history table a source is deduped on. */
    public static final TopicSpec<SpecificRecord> MEDIA_HISTORY = new TopicSpec<>(
            "tally.media.history", SpecificRecord.class, 1, false, TopicConfig.CLEANUP_POLICY_COMPACT, null);

    /** Every dead-letter topic; the notification service watches them all. */
    public static final List<TopicSpec<byte[]>> DEAD_LETTERS = List.of(JOB_TRACKER_DLT, CHART_PROCESSOR_DLT,
            NOTIFICATION_SERVICE_DLT);

    /** Every topic of the catalogue, inputs before outputs. */
    public static final List<TopicSpec<?>> ALL = List.of(
            SCHEDULES_FIRED, PIPELINE_TRIGGERS, CHARTS_PUBLISHED, TRACKS,
            JOB_CREATED, ITEM_PROCESSED, STAGE_REPORTED, JOB_COMPLETED, JOB_STALLED, JOB_STATUS,
            PLAYLISTS_CREATED, NOTIFICATIONS_REQUESTED, NOTIFICATIONS_SENT, API_IDEMPOTENCY,
            PIPELINE_DEFINITIONS, TRIGGERS_BY_JOB, TASK_RESULTS, TASK_PROGRESS, JOB_CANCEL_REQUESTS, JOBS_CANCELLED,
            JOB_TRACKER_DLT, CHART_PROCESSOR_DLT, NOTIFICATION_SERVICE_DLT,
            SCHEDULES, WORKER_HEARTBEATS, RESULT_CACHE, JOB_PURGE_REQUESTS, ADMIN_AUDIT);

    private Topics() {
    }

    private static TopicSpec<byte[]> deadLetters(String service) {
        return new TopicSpec<>("tally.dlt." + service, byte[].class, 1, false, TopicConfig.CLEANUP_POLICY_DELETE,
                DEAD_LETTER_RETENTION);
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

    /**
     * The Avro type carried by a catalogue topic or one of its Spring Kafka retry topics ({@code <topic>-retry-N},
     * {@code <topic>-retry}), or {@link SpecificRecord} for a topic the catalogue does not know.
     */
    public static Class<? extends SpecificRecord> recordTypeOf(String topic) {
        for (TopicSpec<?> spec : ALL) {
            if ((topic.equals(spec.name()) || topic.startsWith(spec.name() + "-retry"))
                    && SpecificRecord.class.isAssignableFrom(spec.valueType())) {
                return spec.valueType().asSubclass(SpecificRecord.class);
            }
        }
        return SpecificRecord.class;
    }

    /**
     * A task type's dead-letter topic ({@code tally.dlt.tasks.<type>}) as a spec, for the tools that list, count and
     * redrive dead letters; such topics come from the definitions and the workers, not from this catalogue.
     */
    public static java.util.Optional<TopicSpec<byte[]>> taskDeadLetters(String name) {
        return io.tally.common.tasks.TaskHeaders.isDeadLetterTopic(name)
                ? java.util.Optional.of(new TopicSpec<>(name, byte[].class, 1, false, TopicConfig.CLEANUP_POLICY_DELETE,
                        DEAD_LETTER_RETENTION))
                : java.util.Optional.empty();
    }

    /** A task type's request topic ({@code tally.tasks.<type>}) as a spec; its values are typed per task type. */
    public static java.util.Optional<TopicSpec<byte[]>> taskRequests(String name) {
        return io.tally.common.tasks.TaskHeaders.isRequestTopic(name)
                ? java.util.Optional.of(new TopicSpec<>(name, byte[].class, JOB_PARTITIONS, true,
                        TopicConfig.CLEANUP_POLICY_DELETE, null))
                : java.util.Optional.empty();
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
