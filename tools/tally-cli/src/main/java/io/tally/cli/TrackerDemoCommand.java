package io.tally.cli;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobStatus;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.LocalStack;
import io.tally.localruntime.TrackerWorkload;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally tracker-demo}: runs one synthetic job through the real job tracker, in-process, against a real KRaft broker and
 * a real Apicurio registry started as child processes, and checks that it ends with exactly one correct completion.
 * Known gaps: the tracker runs in this JVM (not as its own service), there is a single broker (replication factor
 * 1), and the registry keeps schemas in memory, so nothing of a run survives it unless {@code --data-dir} is given.
 */
@Command(
        name = "tracker-demo",
        mixinStandardHelpOptions = true,
        description = "Runs a sample job of 100 items through the job tracker on a real local Kafka broker and schema"
                + " registry, and exits 0 when the job has completed.")
public class TrackerDemoCommand implements Callable<Integer> {

    /** Shown on purpose: the tracker must count items that arrive before their job is announced. */
    static final int ITEMS_BEFORE_JOB_CREATED = 20;
    /** Fixed, so every run sends the same order and a failure can be reproduced. */
    static final long SHUFFLE_SEED = 20261123L;
    /** Slow enough that the progress lines are visible, fast enough that 100 items take under 3 s. */
    private static final long SEND_PACE_MS = 25;
    /** How long to keep listening after the completion, to catch a second JobCompleted if the tracker sent one. */
    private static final Duration QUIET_PERIOD = Duration.ofSeconds(1);
    /** Extra wait for the status that counts the last redeliveries, which may arrive after the completion. */
    private static final Duration LATE_STATUS_GRACE = Duration.ofSeconds(2);
    private static final DateTimeFormatter JOB_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Spec
    CommandSpec spec;

    @Option(names = "--items", defaultValue = "100", paramLabel = "N",
            description = "Distinct items in the job (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--duplicates", defaultValue = "10", paramLabel = "N",
            description = "Redeliveries of already sent items, which must not be counted twice (default: ${DEFAULT-VALUE}).")
    int duplicates;

    @Option(names = "--failures", defaultValue = "3", paramLabel = "N",
            description = "Items that end FAILED instead of SUCCEEDED (default: ${DEFAULT-VALUE}).")
    int failures;

    @Option(names = "--timeout", defaultValue = "120s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up (exit 1) when the job has not completed this long after the start, e.g. 90s, 2m,"
                    + " PT2M (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker data, streams state and logs in a new subdirectory of DIR, named after the"
                    + " job (default: a fresh temp dir, deleted at the end).")
    Path dataDir;

    @Option(names = "--verbose", description = "Also show the tracker's, broker's and registry's logs here.")
    boolean verbose;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() {
        validateOptions();
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + timeout.toNanos();
        String jobId = "demo-" + LocalDateTime.now().format(JOB_ID_TIME);
        boolean ownsDir = dataDir == null;
        Path runDir = prepareRunDir(jobId);

        int exitCode;
        Path logDir = StackLogging.start(ownsDir
                ? Path.of(System.getProperty("user.home"), ".tally", "tracker-demo", "logs") : runDir.resolve("logs"),
                verbose);
        say("Starting a Kafka broker, a schema registry and the job tracker...");
        say("  " + StackLogging.describe(logDir));
        LocalStack.Settings settings = new LocalStack.Settings(runDir, 0, 0, 0, timeout, this::say, logDir);
        try (LocalStack stack = LocalStack.startInfrastructure(settings)) {
            // Frequent statuses make the progress bar move; the service default is 500 ms.
            stack.startServices(List.of(new LocalStack.Service(JobTrackerApplication.CONFIG_NAME,
                    JobTrackerApplication.class, 0, List.of("--tally.tracker.status-interval=200ms"))));
            exitCode = runJob(jobId, stack.bootstrapServers(), stack.registryUrl(), startNanos, deadlineNanos);
        } catch (DemoFailure | LocalStack.StackFailure e) {
            err.println("ERROR: " + e.getMessage() + " (details in " + logDir + ")");
            exitCode = 1;
        } catch (RuntimeException e) {
            err.println("ERROR: the demo failed: " + e + " (stack trace in " + logDir.resolve(StackLogging.SERVICES_LOG)
                    + ")");
            LoggerFactory.getLogger(TrackerDemoCommand.class).error("The tracker demo failed", e);
            exitCode = 1;
        } finally {
            if (ownsDir) {
                LocalStack.deleteRecursively(runDir);
            }
            err.flush();
        }
        if (exitCode == 0) {
            say("Stopped the job tracker, broker and registry. Demo finished in %s.", elapsed(startNanos).strip());
        }
        if (!ownsDir) {
            say("Broker data, streams state and logs are kept in %s", runDir);
        }
        return exitCode;
    }

    private void validateOptions() {
        CommandLine commandLine = spec.commandLine();
        if (items < 1) {
            throw new CommandLine.ParameterException(commandLine, "--items must be at least 1, was " + items);
        }
        if (failures < 0 || failures > items) {
            throw new CommandLine.ParameterException(commandLine,
                    "--failures must be between 0 and --items (" + items + "), was " + failures);
        }
        if (duplicates < 0) {
            throw new CommandLine.ParameterException(commandLine, "--duplicates must not be negative, was " + duplicates);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new CommandLine.ParameterException(commandLine, "--timeout must be positive, was " + timeout);
        }
    }

    private Path prepareRunDir(String jobId) {
        try {
            if (dataDir == null) {
                return Files.createTempDirectory("tally-demo-");
            }
            // A subdirectory per run: a reused KRaft log dir would remember the previous run's controller port.
            return Files.createDirectories(dataDir.resolve(jobId)).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the demo data dir", e);
        }
    }

    private int runJob(String jobId, String bootstrapServers, String registryUrl, long startNanos, long deadlineNanos) {
        AvroSerdes serdes = AvroSerdes.forRegistry(registryUrl, true);
        int beforeCreated = Math.min(ITEMS_BEFORE_JOB_CREATED, items + duplicates);
        TrackerWorkload workload = new TrackerWorkload(
                TrackerWorkload.Shape.demo(jobId, items, failures, duplicates, beforeCreated), SHUFFLE_SEED);
        say("Producing job %s: %d items (%d failing), %d redeliveries, the first %d records before its JobCreated",
                jobId, items, failures, duplicates, beforeCreated);

        ExecutorService sender = Executors.newSingleThreadExecutor(LocalStack.daemonThreads("tally-demo-producer"));
        try (KafkaConsumer<String, byte[]> consumer = statusConsumer(bootstrapServers)) {
            FromStart.assign(consumer, List.of(Topics.JOB_STATUS.name(), Topics.JOB_COMPLETED.name()));
            Future<?> production = sender.submit(() -> produce(workload, bootstrapServers, serdes));
            return watch(jobId, consumer, serdes, production, startNanos, deadlineNanos);
        } finally {
            sender.shutdownNow();
        }
    }

    private static void produce(TrackerWorkload workload, String bootstrapServers, AvroSerdes serdes) {
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        try (Producer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "tally-demo-producer"),
                new StringSerializer(), serdes.<SpecificRecord>serializer())) {
            for (TrackerWorkload.Send send : workload.sends()) {
                if (send.isJobCreated()) {
                    // Flushing around the JobCreated makes "items before the job" true on the broker, not just here.
                    producer.flush();
                }
                producer.send(new ProducerRecord<>(send.topic(), send.key(), send.value()),
                        (metadata, e) -> sendFailure.compareAndSet(null, e));
                if (send.isJobCreated()) {
                    producer.flush();
                } else {
                    LocalStack.sleep(SEND_PACE_MS);
                }
            }
            producer.flush();
        }
        if (sendFailure.get() != null) {
            throw new DemoFailure("sending the sample job failed: " + sendFailure.get());
        }
    }

    private static KafkaConsumer<String, byte[]> statusConsumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-demo-watcher",
                // The tracker writes in transactions; only committed output is what downstream services would see.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Prints progress until the job completed and the quiet period passed; returns the exit code. */
    private int watch(String jobId, KafkaConsumer<String, byte[]> consumer, AvroSerdes serdes, Future<?> production,
            long startNanos, long deadlineNanos) {
        Deserializer<JobStatus> statuses = serdes.deserializer(JobStatus.class);
        Deserializer<JobCompleted> completions = serdes.deserializer(JobCompleted.class);
        List<JobCompleted> completed = new ArrayList<>();
        JobStatus lastStatus = null;
        String lastProgress = null;
        long completedAtNanos = 0;
        long producedAtNanos = 0;
        while (true) {
            long now = System.nanoTime();
            if (producedAtNanos == 0 && production.isDone()) {
                producedAtNanos = now;
                rethrowProductionFailure(production);
            }
            if (!completed.isEmpty() && producedAtNanos != 0) {
                long quietUntil = Math.max(completedAtNanos, producedAtNanos) + QUIET_PERIOD.toNanos();
                boolean allRedeliveriesSeen = lastStatus != null && lastStatus.getDuplicateCount() >= duplicates;
                if (now >= quietUntil && (allRedeliveriesSeen || now >= quietUntil + LATE_STATUS_GRACE.toNanos())) {
                    break;
                }
            }
            if (now > deadlineNanos) {
                throw new DemoFailure(timedOut((completed.isEmpty() ? "waiting for the JobCompleted of " + jobId
                        : "checking the completion of " + jobId)
                        + "; last status: " + (lastStatus == null ? "none" : describe(lastStatus))));
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.value() == null || !jobId.equals(record.key())) {
                    continue;
                }
                if (record.topic().equals(Topics.JOB_STATUS.name())) {
                    lastStatus = statuses.deserialize(record.topic(), record.headers(), record.value());
                    String progress = progressLine(lastStatus);
                    if (!progress.equals(lastProgress)) {
                        say("%s", progress);
                        lastProgress = progress;
                    }
                } else if (record.topic().equals(Topics.JOB_COMPLETED.name())) {
                    completed.add(completions.deserialize(record.topic(), record.headers(), record.value()));
                    completedAtNanos = System.nanoTime();
                }
            }
        }
        return report(jobId, completed, lastStatus, startNanos);
    }

    private String timedOut(String what) {
        return "timed out after " + timeout.toSeconds() + " s " + what + ". Raise --timeout if the machine is slow;"
                + (dataDir == null ? " --data-dir keeps the broker and registry logs." : "");
    }

    private static void rethrowProductionFailure(Future<?> production) {
        try {
            production.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof DemoFailure failure ? failure
                    : new DemoFailure("sending the sample job failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoFailure("interrupted while sending the sample job");
        }
    }

    private int report(String jobId, List<JobCompleted> completed, JobStatus lastStatus, long startNanos) {
        JobCompleted done = completed.get(0);
        long redeliveries = lastStatus == null ? 0 : lastStatus.getDuplicateCount();
        say("");
        say("Job %s %s: %d succeeded, %d failed, %d skipped of %d expected (%d redeliveries ignored)",
                jobId, done.getState(), done.getSucceededCount(), done.getFailedCount(), done.getSkippedCount(),
                done.getExpectedCount(), redeliveries);

        List<String> problems = new ArrayList<>();
        if (completed.size() != 1) {
            problems.add("expected exactly one JobCompleted for " + jobId + ", saw " + completed.size());
        }
        int counted = done.getSucceededCount() + done.getFailedCount() + done.getSkippedCount();
        if (counted != done.getExpectedCount()) {
            problems.add("succeeded + failed + skipped = " + counted + ", but " + done.getExpectedCount()
                    + " were expected");
        }
        if (done.getExpectedCount() != items || done.getFailedCount() != failures
                || done.getSucceededCount() != items - failures) {
            problems.add("the demo sent " + items + " items with " + failures + " failures, but the completion counts "
                    + done.getSucceededCount() + " succeeded and " + done.getFailedCount() + " failed of "
                    + done.getExpectedCount());
        }
        if (!problems.isEmpty()) {
            problems.forEach(problem -> err.println("ERROR: " + problem));
            return 1;
        }
        say("  Checked: exactly one JobCompleted; %d + %d + %d = %d expected; %s",
                done.getSucceededCount(), done.getFailedCount(), done.getSkippedCount(), done.getExpectedCount(),
                redeliveries == duplicates ? "all " + duplicates + " redeliveries ignored" :
                        redeliveries + " of " + duplicates + " redeliveries reported so far");
        say("  Completed %s after the start", elapsed(startNanos).strip());
        return 0;
    }

    /** The progress line; equal lines mean equal numbers, which is how repeats are suppressed. */
    String progressLine(JobStatus status) {
        int done = status.getSucceededCount() + status.getFailedCount() + status.getSkippedCount();
        Integer expected = status.getExpectedCount();
        int width = String.valueOf(items).length();
        String counts = String.format(Locale.ROOT, "succeeded %d  failed %d  duplicates %d",
                status.getSucceededCount(), status.getFailedCount(), status.getDuplicateCount());
        if (expected == null) {
            return String.format(Locale.ROOT, "  [%s]  %" + width + "d/%-" + width + "s       %s  (no JobCreated yet)",
                    ProgressBar.of(0), done, "?", counts);
        }
        int percent = expected == 0 ? 100 : (int) Math.min(100, (long) done * 100 / expected);
        return String.format(Locale.ROOT, "  [%s]  %" + width + "d/%-" + width + "d  %3d%%  %s",
                ProgressBar.of(percent), done, expected, percent, counts);
    }

    private static String describe(JobStatus status) {
        return status.getState() + ", " + (status.getSucceededCount() + status.getFailedCount()
                + status.getSkippedCount()) + "/" + (status.getExpectedCount() == null ? "?" : status.getExpectedCount())
                + " items";
    }

    private synchronized void say(String format, Object... args) {
        out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static String elapsed(long startNanos) {
        return String.format(Locale.ROOT, "%6.1f s", (System.nanoTime() - startNanos) / 1e9);
    }

    /** A failure with a message meant for the user; no stack trace needed. */
    static final class DemoFailure extends RuntimeException {
        DemoFailure(String message) {
            super(message);
        }
    }

}
