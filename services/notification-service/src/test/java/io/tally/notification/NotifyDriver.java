package io.tally.notification;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.jobs.NotificationKind;
import io.tally.common.jobs.Stages;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.NotificationRequested;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.notification.channels.Notification;
import io.tally.testsupport.TallyTopologyDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The deciding notification topology in a {@link TallyTopologyDriver}, with the delivery intents it writes (as
 * {@link Notification}s, the way the delivery consumer reads them) and shorthands for the events the tests send.
 */
final class NotifyDriver implements AutoCloseable {

    static final Instant START = TallyTopologyDriver.START;
    static final Duration PLAYLIST_WAIT = Duration.ofMinutes(2);

    final TallyTopologyDriver tally;
    final TopologyTestDriver driver;
    final AvroSerdes serdes;
    final SimpleMeterRegistry meters;
    final TestInputTopic<String, JobStatus> status;
    final TestInputTopic<String, JobStalled> stalled;
    final TestInputTopic<String, ItemProcessed> items;
    final TestInputTopic<String, byte[]> rawStatus;
    final TestOutputTopic<String, NotificationRequested> requests;
    final TestOutputTopic<String, byte[]> deadLetters;
    private final List<TestRecord<String, NotificationRequested>> intents = new ArrayList<>();

    NotifyDriver() {
        this(EnumSet.allOf(NotificationKind.class));
    }

    NotifyDriver(Set<NotificationKind> kinds) {
        NotificationProperties defaults = NotificationProperties.defaults(Path.of("target/unused-outbox"));
        NotificationProperties config = new NotificationProperties(kinds, PLAYLIST_WAIT, Duration.ofSeconds(1), 20, defaults.outboxDir(),
                defaults.retry(), defaults.delivery(), defaults.email(), defaults.webhook());
        tally = new TallyTopologyDriver("notification-service", Topics.NOTIFICATION_SERVICE_DLT,
                (properties, registrySerdes, registryMeters) -> NotificationTopology.build(config, registrySerdes, registryMeters));
        driver = tally.driver();
        serdes = tally.serdes();
        meters = tally.meters();
        status = tally.input(Topics.JOB_STATUS);
        stalled = tally.input(Topics.JOB_STALLED);
        items = tally.input(Topics.ITEM_PROCESSED);
        rawStatus = tally.rawInput(Topics.JOB_STATUS);
        requests = tally.output(Topics.NOTIFICATIONS_REQUESTED);
        deadLetters = tally.rawOutput(Topics.NOTIFICATION_SERVICE_DLT);
    }

    /** Every delivery intent written so far, in order. */
    List<TestRecord<String, NotificationRequested>> intents() {
        intents.addAll(requests.readRecordsToList());
        return List.copyOf(intents);
    }

    /** The notifications decided so far, as the delivery consumer hands them to the channels. */
    List<Notification> notifications() {
        return intents().stream().map(record -> Messages.of(record.value())).toList();
    }

    TestInputTopic<String, byte[]> deadLetterTopic(String name) {
        return tally.rawInput(name);
    }

    /** The sent topic, whose keys the global sent table keeps. */
    TestInputTopic<String, byte[]> sentTopic() {
        return tally.rawInput(Topics.NOTIFICATIONS_SENT.name());
    }

    /** A chart job's status with the given state and playlist stage; counts 9 succeeded + {@code failed}. */
    static JobStatus job(String jobId, JobState state, int failed, StageState playlist, String playlistDetail) {
        List<StageStatus> stages = new ArrayList<>();
        stages.add(StageStatus.newBuilder().setName(Stages.SEARCH).setState(StageState.SUCCEEDED).setDone(9 + failed).build());
        if (playlist != null) {
            stages.add(StageStatus.newBuilder().setName(Stages.PLAYLIST).setState(playlist).setDone(0)
                    .setDetail(playlistDetail).build());
        }
        return JobStatus.newBuilder()
                .setJobId(jobId)
                .setPipeline("beatport-chart")
                .setSourceRef("beatport/2026/11/22/top100")
                .setState(state)
                .setExpectedCount(9 + failed)
                .setSucceededCount(9)
                .setFailedCount(failed)
                .setSkippedCount(0)
                .setStages(stages)
                .setCountedStage(Stages.SEARCH)
                .setCreatedAt(START)
                .setFirstSeenAt(START)
                .setLastProgressAt(START)
                .setUpdatedAt(START)
                .setCompletedAt(state == JobState.RUNNING ? null : START.plus(Duration.ofMinutes(5).plusSeconds(3)))
                .build();
    }

    void send(JobStatus job) {
        status.pipeInput(job.getJobId(), job);
    }

    void item(String jobId, String itemId, ItemOutcome outcome, int attempt, String error) {
        items.pipeInput(jobId, ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome)
                .setAttempt(attempt).setError(error).setProcessedAt(START).build());
    }

    void stall(String jobId, Instant at) {
        stalled.pipeInput(jobId, JobStalled.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef("src")
                .setExpectedCount(10).setProcessedCount(3).setLastProgressAt(START).setStalledAt(at)
                .setReason("no progress for 10m").build());
    }

    void advance(Duration duration) {
        tally.advance(duration);
    }

    double counter(String name) {
        var counter = meters.find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        tally.close();
    }
}
