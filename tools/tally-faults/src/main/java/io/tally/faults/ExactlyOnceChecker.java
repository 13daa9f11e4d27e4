package io.tally.faults;

import io.tally.common.jobs.NotificationKind;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.NotificationSent;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Judges a run by its outcomes only: reads every output topic {@code read_committed} ({@code JobCompleted},
 * {@code JobStatus}, {@code PlaylistCreated}, {@code NotificationSent}) and the offline adapters' records (playlist
 * files, notification outbox), and reports every job that did not complete exactly once with the expected counts,
 * did not get exactly one playlist and one notification, or has items not accounted for. For a job the pipeline
 * engine ran (its status names a {@code pipelineVersion}), the counts are those of its fan-out stage, and every stage
 * must have ended (SUCCEEDED for a COMPLETED job): a completion with a stage still open is reported.
 * Known gaps: an adapter file that is overwritten by a repeated call cannot show that repeat (the file adapters are
 * idempotent by design, so the topics are the record of how often an effect was committed); records that cannot be
 * read as the topic's type (poison records injected by a test) are skipped, not reported.
 */
public final class ExactlyOnceChecker {

    /**
     * What one job must end as. {@code playlist}/{@code notification}: whether that effect is expected at all;
     * {@code playlistEntries}: the entries of its playlist (the succeeded items, unless items succeed without a
     * playlist entry, such as a search that found nothing).
     */
    public record JobExpectation(String jobId, String sourceRef, JobState state, int expectedCount, int succeeded,
                                 int failed, int skipped, boolean playlist, boolean notification, int playlistEntries) {

        /** A job whose playlist holds one entry per succeeded item. */
        public JobExpectation(String jobId, String sourceRef, JobState state, int expectedCount, int succeeded,
                              int failed, int skipped, boolean playlist, boolean notification) {
            this(jobId, sourceRef, state, expectedCount, succeeded, failed, skipped, playlist, notification, succeeded);
        }

        /** A job whose items all succeed, that gets a playlist of them and a completion notification. */
        public static JobExpectation allSucceeded(String jobId, String sourceRef, int items, boolean effects) {
            return new JobExpectation(jobId, sourceRef, JobState.COMPLETED, items, items, 0, 0, effects, effects);
        }

        /** The id the notification service gives the job's end notification. */
        String notificationId() {
            return NotificationKind.forJobEnd(state).jobNotificationId(jobId);
        }
    }

    /** Everything the checker read: committed records of the output topics and the adapters' files. */
    public record Observations(List<JobCompleted> completions, Map<String, JobStatus> latestStatus,
                               List<PlaylistCreated> playlists, List<NotificationSent> notifications,
                               Map<String, Integer> playlistFileEntries, Set<String> outboxFiles) {
    }

    /** The outcome of a check: empty {@code violations} means exactly once held for every expected job. */
    public record Verdict(List<String> violations, int jobsChecked, Observations observations) {

        public boolean ok() {
            return violations.isEmpty();
        }

        /** Throws an {@link AssertionError} that lists every violation. */
        public Verdict assertExactlyOnce() {
            if (!ok()) {
                throw new AssertionError(violations.size() + " exactly-once violation(s) in " + jobsChecked + " jobs:\n  "
                        + String.join("\n  ", violations));
            }
            return this;
        }

        /** How many completions, playlists and notifications were seen beyond one per job (0 when ok). */
        public long duplicates() {
            return violations.stream().filter(v -> v.endsWith(" times") || v.contains(" times for")).count();
        }

        /** How many expected jobs had a missing completion, playlist or notification (0 when ok). */
        public long missing() {
            return violations.stream().filter(v -> v.contains(": no ")).count();
        }
    }

    /**
     * Header a fault test puts on records it re-sends onto a topic that is also an output (duplicates injected on
     * {@code JobCompleted} or {@code JobStatus}): they are the test's input, not the system's outcome.
     */
    public static final String INJECTED_HEADER = "tally-faults-injected";

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);
    // A duplicate may trail the expected record by one transaction; a pass is re-checked after this.
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final String bootstrapServers;
    private final AvroSerdes serdes;
    private final Path playlistDir;
    private final Path outboxDir;
    // Why records were skipped, per topic: shown with a failed check, since a skip can hide a real outcome.
    private final Map<String, String> unreadable = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param playlistDir the file playlist adapter's output dir, or {@code null} when no playlist service runs
     * @param outboxDir   the notification outbox dir, or {@code null} when no notification service runs
     */
    public ExactlyOnceChecker(String bootstrapServers, AvroSerdes serdes, Path playlistDir, Path outboxDir) {
        this.bootstrapServers = bootstrapServers;
        this.serdes = serdes;
        this.playlistDir = playlistDir;
        this.outboxDir = outboxDir;
    }

    /**
     * Checks until every expectation holds (then once more after a settle time, so a trailing duplicate shows) or
     * {@code timeout} passed; returns the last verdict either way.
     */
    public Verdict await(Collection<JobExpectation> expected, Predicate<String> inScope, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Verdict verdict = check(expected, inScope);
        while (!verdict.ok() && System.nanoTime() < deadline) {
            sleep(Duration.ofSeconds(1));
            verdict = check(expected, inScope);
        }
        if (verdict.ok()) {
            sleep(SETTLE);
            verdict = check(expected, inScope);
        }
        return verdict;
    }

    /** One check of the topics and files as they are now. */
    public Verdict check(Collection<JobExpectation> expected, Predicate<String> inScope) {
        unreadable.clear();
        Verdict verdict = evaluate(expected, inScope, observe());
        if (verdict.ok() || unreadable.isEmpty()) {
            return verdict;
        }
        List<String> violations = new ArrayList<>(verdict.violations());
        unreadable.forEach((topic, why) -> violations.add("(skipped unreadable records on " + topic + ": " + why + ")"));
        return new Verdict(List.copyOf(violations), verdict.jobsChecked(), verdict.observations());
    }

    /** Reads the output topics (committed records, to their current end) and the adapter folders. */
    public Observations observe() {
        List<JobCompleted> completions = values(Topics.JOB_COMPLETED.name(), JobCompleted.class);
        Map<String, JobStatus> latest = new LinkedHashMap<>();
        // By updatedAt, not log order: a test may re-send old statuses to the notification service's input.
        values(Topics.JOB_STATUS.name(), JobStatus.class).forEach(status -> latest.merge(status.getJobId(), status,
                (a, b) -> b.getUpdatedAt().isBefore(a.getUpdatedAt()) ? a : b));
        List<PlaylistCreated> playlists = values(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class);
        List<NotificationSent> notifications = values(Topics.NOTIFICATIONS_SENT.name(), NotificationSent.class);
        return new Observations(completions, latest, playlists, notifications, playlistFiles(), outboxFiles());
    }

    /** The rules, on what was read; pure, so they are unit-tested without a broker. */
    public static Verdict evaluate(Collection<JobExpectation> expected, Predicate<String> inScope, Observations seen) {
        List<String> violations = new ArrayList<>();
        Map<String, List<JobCompleted>> completions = seen.completions().stream()
                .collect(Collectors.groupingBy(JobCompleted::getJobId, LinkedHashMap::new, Collectors.toList()));
        Map<String, List<PlaylistCreated>> playlistsByJob = seen.playlists().stream()
                .collect(Collectors.groupingBy(PlaylistCreated::getJobId, LinkedHashMap::new, Collectors.toList()));
        Map<String, List<PlaylistCreated>> playlistsBySource = seen.playlists().stream()
                .collect(Collectors.groupingBy(PlaylistCreated::getSourceRef, LinkedHashMap::new, Collectors.toList()));
        Map<String, Map<String, Integer>> notificationsById = new HashMap<>();
        for (NotificationSent sent : seen.notifications()) {
            notificationsById.computeIfAbsent(notificationIdOf(sent), id -> new LinkedHashMap<>())
                    .merge(sent.getChannel(), 1, Integer::sum);
        }
        Set<String> expectedIds = new TreeSet<>();
        for (JobExpectation job : expected) {
            expectedIds.add(job.jobId());
            checkCompletion(job, completions.getOrDefault(job.jobId(), List.of()), violations);
            checkStatus(job, seen.latestStatus().get(job.jobId()), violations);
            if (job.playlist()) {
                checkPlaylist(job, playlistsByJob.getOrDefault(job.jobId(), List.of()),
                        playlistsBySource.getOrDefault(job.sourceRef(), List.of()), seen.playlistFileEntries(),
                        violations);
            } else if (playlistsByJob.containsKey(job.jobId())) {
                violations.add(job.jobId() + ": a playlist was made though none was expected");
            }
            if (job.notification()) {
                checkNotification(job, notificationsById.getOrDefault(job.notificationId(), Map.of()),
                        seen.outboxFiles(), violations);
            }
        }
        completions.keySet().stream()
                .filter(inScope)
                .filter(jobId -> !expectedIds.contains(jobId))
                .forEach(jobId -> violations.add(jobId + ": completed, but no such job was started"));
        return new Verdict(List.copyOf(violations), expected.size(), seen);
    }

    private static void checkCompletion(JobExpectation job, List<JobCompleted> done, List<String> violations) {
        if (done.isEmpty()) {
            violations.add(job.jobId() + ": no JobCompleted");
            return;
        }
        if (done.size() > 1) {
            violations.add(job.jobId() + ": JobCompleted " + done.size() + " times");
        }
        JobCompleted first = done.get(0);
        String counts = counts(first.getState(), first.getExpectedCount(), first.getSucceededCount(),
                first.getFailedCount(), first.getSkippedCount());
        String wanted = counts(job.state(), job.expectedCount(), job.succeeded(), job.failed(), job.skipped());
        if (!counts.equals(wanted)) {
            violations.add(job.jobId() + ": JobCompleted says " + counts + ", expected " + wanted);
        }
    }

    private static void checkStatus(JobExpectation job, JobStatus status, List<String> violations) {
        if (status == null) {
            violations.add(job.jobId() + ": no JobStatus");
            return;
        }
        String counts = counts(status.getState(), status.getExpectedCount() == null ? -1 : status.getExpectedCount(),
                status.getSucceededCount(), status.getFailedCount(), status.getSkippedCount());
        String wanted = counts(job.state(), job.expectedCount(), job.succeeded(), job.failed(), job.skipped());
        if (!counts.equals(wanted)) {
            violations.add(job.jobId() + ": latest JobStatus says " + counts + ", expected " + wanted);
        }
        int accounted = status.getSucceededCount() + status.getFailedCount() + status.getSkippedCount();
        if (accounted != job.expectedCount()) {
            violations.add(job.jobId() + ": " + accounted + " of " + job.expectedCount() + " accepted items accounted for");
        }
        if (status.getPipelineVersion() != null) {
            checkEngineStages(job, status, violations);
        }
    }

    /** An engine job ends after all its stages: none may be left open, and a COMPLETED job's all succeeded. */
    private static void checkEngineStages(JobExpectation job, JobStatus status, List<String> violations) {
        for (StageStatus stage : status.getStages()) {
            boolean ended = stage.getState() == StageState.SUCCEEDED || stage.getState() == StageState.FAILED
                    || stage.getState() == StageState.SKIPPED;
            if (!ended || (job.state() == JobState.COMPLETED && stage.getState() != StageState.SUCCEEDED)) {
                violations.add(job.jobId() + ": stage " + stage.getName() + " is " + stage.getState() + " in the "
                        + status.getState() + " status");
            }
        }
    }

    private static void checkPlaylist(JobExpectation job, List<PlaylistCreated> ofJob, List<PlaylistCreated> ofSource,
                                      Map<String, Integer> files, List<String> violations) {
        if (ofJob.isEmpty()) {
            violations.add(job.jobId() + ": no PlaylistCreated");
            return;
        }
        if (ofJob.size() > 1) {
            violations.add(job.jobId() + ": PlaylistCreated " + ofJob.size() + " times");
        }
        if (ofSource.size() > ofJob.size()) {
            violations.add(job.sourceRef() + ": PlaylistCreated " + ofSource.size() + " times for one chart");
        }
        PlaylistCreated playlist = ofJob.get(0);
        int wantedEntries = job.playlistEntries();
        if (playlist.getEntryCount() != wantedEntries) {
            violations.add(job.jobId() + ": playlist has " + playlist.getEntryCount() + " entries, expected "
                    + wantedEntries);
        }
        if (files != null) {
            Integer inFile = files.get(sanitize(job.sourceRef()));
            if (inFile == null) {
                violations.add(job.jobId() + ": no playlist file for " + job.sourceRef());
            } else if (inFile != playlist.getEntryCount()) {
                violations.add(job.jobId() + ": playlist file has " + inFile + " entries, the event says "
                        + playlist.getEntryCount());
            }
        }
    }

    private static void checkNotification(JobExpectation job, Map<String, Integer> perChannel, Set<String> outbox,
                                          List<String> violations) {
        if (perChannel.isEmpty()) {
            violations.add(job.jobId() + ": no NotificationSent " + job.notificationId());
            return;
        }
        perChannel.forEach((channel, count) -> {
            if (count > 1) {
                violations.add(job.jobId() + ": NotificationSent " + job.notificationId() + " on " + channel + " "
                        + count + " times");
            }
        });
        if (outbox != null && perChannel.containsKey("outbox") && !outbox.contains(sanitize(job.notificationId()))) {
            violations.add(job.jobId() + ": no outbox file for " + job.notificationId());
        }
    }

    /**
     * The notification id of a {@code NotificationSent}: the service puts {@code <notification id>:<channel>} in the
     * field (as in its key), so the channel suffix is taken off.
     */
    public static String notificationIdOf(NotificationSent sent) {
        String id = sent.getNotificationId();
        String suffix = ":" + sent.getChannel();
        return id.endsWith(suffix) ? id.substring(0, id.length() - suffix.length()) : id;
    }

    private static String counts(JobState state, int expected, int succeeded, int failed, int skipped) {
        return "%s %d/%d/%d of %d".formatted(state, succeeded, failed, skipped, expected);
    }

    /** The file name the playlist and outbox adapters derive from an id (their own rule, repeated on purpose). */
    static String sanitize(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private Map<String, Integer> playlistFiles() {
        if (playlistDir == null) {
            return null;
        }
        Map<String, Integer> entries = new HashMap<>();
        for (Path file : list(playlistDir, ".m3u")) {
            try {
                long count = Files.readAllLines(file).stream().filter(line -> line.startsWith("#EXTINF")).count();
                String name = file.getFileName().toString();
                entries.put(name.substring(0, name.length() - ".m3u".length()), (int) count);
            } catch (IOException e) {
                // a file being moved into place right now; the next check sees it
            }
        }
        return entries;
    }

    private Set<String> outboxFiles() {
        if (outboxDir == null) {
            return null;
        }
        return list(outboxDir, ".eml").stream().map(file -> file.getFileName().toString())
                .map(name -> name.substring(0, name.length() - ".eml".length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(suffix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Committed values of {@code type} on {@code topic}, in offset order per partition; unreadable ones and those a
     * test injected ({@link #INJECTED_HEADER}) skipped.
     */
    public <V> List<V> values(String topic, Class<V> type) {
        List<V> values = new ArrayList<>();
        Deserializer<?> deserializer = serdes.deserializer(type.asSubclass(org.apache.avro.specific.SpecificRecord.class));
        for (ConsumerRecord<String, byte[]> record : readRaw(bootstrapServers, topic)) {
            if (record.headers().lastHeader(INJECTED_HEADER) != null || record.value() == null) {
                continue;
            }
            try {
                Object value = deserializer.deserialize(topic, record.headers(), record.value());
                if (type.isInstance(value)) {
                    values.add(type.cast(value));
                }
            } catch (RuntimeException poison) {
                // a poison record a test injected on purpose: not an outcome
                unreadable.merge(topic, "offset " + record.offset() + ": " + poison, (first, next) -> first);
            }
        }
        deserializer.close();
        return values;
    }

    /** Every committed record of {@code topic} up to its end offsets at the moment of the call. */
    public static List<ConsumerRecord<String, byte[]>> readRaw(String bootstrapServers, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-faults-checker-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            // read_committed: an open transaction is waited for, not read.
            return FromStart.readToEnd(consumer, List.of(topic), READ_TIMEOUT);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
