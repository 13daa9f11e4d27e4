package io.tally.cli;

import io.tally.common.jobs.Stages;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobStatus;
import io.tally.events.NotificationSent;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one job of the reference pipeline through the committed output of the services (read_committed): its
 * status, its completion, its playlist and its notifications, printing a line whenever its stages move.
 * Known gap: reads each topic from the beginning, which is fine for a local stack, not for a long-lived cluster.
 */
final class PipelineWatcher implements AutoCloseable {

    /** What happened to the job, as far as the topics show. */
    record Outcome(JobStatus status, List<JobCompleted> completions, List<PlaylistCreated> playlists,
                   List<NotificationSent> notifications) {

        boolean ended() {
            return !completions.isEmpty();
        }

        StageStatus stage(String name) {
            return status == null ? null : status.getStages().stream()
                    .filter(stage -> stage.getName().equals(name)).findFirst().orElse(null);
        }

        /** Ended, the playlist stage ended, and the job's summary notification went out. */
        boolean settled() {
            StageStatus playlist = stage(Stages.PLAYLIST);
            boolean playlistEnded = playlist != null && playlist.getState() != StageState.PENDING
                    && playlist.getState() != StageState.RUNNING;
            boolean summarySent = notifications.stream().anyMatch(n -> !n.getKind().equals("dead-letter")
                    && !n.getKind().equals("stalled"));
            return ended() && playlistEnded && summarySent;
        }
    }


    private final KafkaConsumer<String, SpecificRecord> consumer;
    private final String jobId;
    private final Consumer<String> printer;
    private JobStatus status;
    private final List<JobCompleted> completions = new ArrayList<>();
    private final List<PlaylistCreated> playlists = new ArrayList<>();
    private final List<NotificationSent> notifications = new ArrayList<>();
    private String lastLine;

    PipelineWatcher(String bootstrapServers, AvroSerdes serdes, String jobId, Consumer<String> printer) {
        this.jobId = jobId;
        this.printer = printer;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), serdes.catalogueDeserializer());
        FromStart.assign(consumer, List.of(Topics.JOB_STATUS.name(), Topics.JOB_COMPLETED.name(),
                Topics.PLAYLISTS_CREATED.name(), Topics.NOTIFICATIONS_SENT.name()));
    }

    /**
     * Polls until the job has settled and then {@code quiet} more (to catch a duplicate), or until the timeout.
     *
     * @return what was seen, settled or not
     */
    Outcome await(Duration timeout, Duration quiet) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long settledAt = 0;
        while (System.nanoTime() < deadline) {
            poll();
            if (settledAt == 0 && outcome().settled()) {
                settledAt = System.nanoTime();
            }
            if (settledAt != 0 && System.nanoTime() - settledAt >= quiet.toNanos()) {
                break;
            }
        }
        return outcome();
    }

    Outcome outcome() {
        return new Outcome(status, List.copyOf(completions), List.copyOf(playlists), List.copyOf(notifications));
    }

    private void poll() {
        for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(100))) {
            SpecificRecord value = record.value();
            if (value instanceof JobStatus update && update.getJobId().equals(jobId)) {
                status = update;
                print(stageLine(update));
            } else if (value instanceof JobCompleted done && done.getJobId().equals(jobId)) {
                completions.add(done);
            } else if (value instanceof PlaylistCreated playlist && playlist.getJobId().equals(jobId)) {
                playlists.add(playlist);
            } else if (value instanceof NotificationSent sent && jobId.equals(sent.getJobId())) {
                notifications.add(sent);
            }
        }
    }

    private void print(String line) {
        if (!line.equals(lastLine)) {
            printer.accept(line);
            lastLine = line;
        }
    }

    /** One line per change: every stage's state, and a bar for the counted stage. */
    static String stageLine(JobStatus status) {
        StringBuilder line = new StringBuilder("  ");
        for (StageStatus stage : status.getStages()) {
            if (stage.getName().equals(status.getCountedStage()) && status.getExpectedCount() == null) {
                // Before its JobCreated the job has no counted stage of its own yet.
                continue;
            }
            if (stage.getName().equals(status.getCountedStage())) {
                int done = (int) stage.getDone();
                Long total = stage.getTotal();
                int percent = total == null ? 0 : total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
                line.append(String.format(Locale.ROOT, "%s [%s] %d/%s  ", stage.getName(), ProgressBar.of(percent), done,
                        total == null ? "?" : total));
            } else {
                line.append(stage.getName()).append(':').append(word(stage.getState())).append("  ");
            }
        }
        return line.toString().stripTrailing();
    }

    private static String word(StageState state) {
        return switch (state) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case SUCCEEDED -> "done";
            case FAILED -> "FAILED";
            case SKIPPED -> "skipped";
        };
    }

    @Override
    public void close() {
        consumer.close();
    }
}
