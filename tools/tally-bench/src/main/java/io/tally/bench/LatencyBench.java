package io.tally.bench;

import static io.tally.bench.BenchEnvironment.millis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.jobtracker.JobTrackerTopology;
import io.tally.jobtracker.TrackerProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Item 4 of the bench: completion latency, from the moment the last item of a job is handed to the producer to the
 * moment its {@code JobCompleted} is returned to a read_committed consumer, with items sent at a fixed moderate rate.
 * The first {@link #WARM_UP_SHARE} of the jobs are not counted (or those of a given lead time), and the command runs
 * one unmeasured warm-up first.
 */
final class LatencyBench {

    static final double WARM_UP_SHARE = 0.1;
    /** The full run's share of its 30 s: the lead of every run sized by the command rather than by the caller. */
    static final Duration LEAD = Duration.ofSeconds(3);

    record Result(Map<String, Object> figures, double p99Ms, List<String> problems) {
    }

    private final BenchEnvironment env;

    LatencyBench(BenchEnvironment env) {
        this.env = env;
    }

    /** The unmeasured run before measured ones: 5 s at 1,000 items/s in jobs of 20, as the latency section sends. */
    void warmUp(String label, int commitIntervalMs) {
        run(label, 1_000, Duration.ofSeconds(5), 20, commitIntervalMs);
    }

    Result run(String label, int itemsPerSecond, Duration duration, int itemsPerJob, int commitIntervalMs) {
        Duration lead = Duration.ofMillis(Math.round(duration.toMillis() * WARM_UP_SHARE));
        return run(label, itemsPerSecond, lead, duration.minus(lead), itemsPerJob, commitIntervalMs);
    }

    /**
     * Sends for {@code lead} plus {@code measured}; only jobs started after the lead are counted. A new application
     * on new topics can be slow for its first seconds whatever ran before it in the JVM, so a short run needs a lead
     * of its own (docs/benchmarks.md, "The quick run against the full run").
     */
    Result run(String label, int itemsPerSecond, Duration lead, Duration measured, int itemsPerJob,
               int commitIntervalMs) {
        Duration duration = lead.plus(measured);
        int jobs = (int) Math.max(10, itemsPerSecond * duration.toMillis() / 1000 / itemsPerJob);
        String name = label + "-ci" + commitIntervalMs;
        Map<String, Object> settings = new HashMap<>(TrackerSettings.streamsProperties());
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        var topology = JobTrackerTopology.build(TrackerProperties.defaults(), env.serdes(), new SimpleMeterRegistry());
        Map<String, Long> lastItemSentAt = new ConcurrentHashMap<>();
        Map<String, Integer> completions = new HashMap<>();
        Histogram micros = new Histogram(3);
        List<String> problems = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Near the tracker's maximum one producer thread may not keep the offered rate: the rate it kept is reported.
        AtomicLong producingNanos = new AtomicLong();
        String prefix = name + "-" + env.runId() + "-";
        try (KafkaStreams streams = new KafkaStreams(topology, StreamsRun.properties(env, name, settings));
             KafkaConsumer<String, JobCompleted> reader = StreamsRun.committedReaderAtEnd(env, name,
                     Topics.JOB_COMPLETED.name(), env.serdes().deserializer(JobCompleted.class))) {
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            long deadline = System.nanoTime() + env.timeout().toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (System.nanoTime() > deadline || failure.get() != null) {
                    return new Result(Map.of(), Double.NaN, List.of(name + " did not reach RUNNING: " + failure.get()));
                }
                BenchEnvironment.sleep(20);
            }
            Thread producer = new Thread(() -> produce(prefix, jobs, itemsPerJob, itemsPerSecond, lastItemSentAt, failure, producingNanos),
                    "tally-bench-latency-producer");
            producer.setDaemon(true);
            producer.start();
            int warmUp = (int) Math.min(jobs - 1, itemsPerSecond * lead.toMillis() / 1000 / itemsPerJob);
            deadline = System.nanoTime() + duration.toNanos() + env.timeout().toNanos();
            while (completions.size() < jobs && System.nanoTime() < deadline && failure.get() == null) {
                for (ConsumerRecord<String, JobCompleted> record : reader.poll(Duration.ofMillis(5))) {
                    long seenAt = System.nanoTime();
                    Long sentAt = lastItemSentAt.get(record.key());
                    if (sentAt == null || !record.key().startsWith(prefix)) {
                        continue;
                    }
                    if (completions.merge(record.key(), 1, Integer::sum) == 1
                            && Integer.parseInt(record.key().substring(prefix.length())) >= warmUp) {
                        micros.recordValue(Math.max(0, (seenAt - sentAt) / 1_000));
                    }
                }
            }
            joinQuietly(producer);
        }
        if (failure.get() != null) {
            problems.add(name + " failed: " + failure.get());
        }
        long doubled = completions.values().stream().filter(count -> count > 1).count();
        if (completions.size() < jobs) {
            problems.add(name + ": " + (jobs - completions.size()) + " of " + jobs + " jobs never completed");
        }
        if (doubled > 0) {
            problems.add(name + ": " + doubled + " jobs completed more than once");
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("commitIntervalMs", commitIntervalMs);
        figures.put("itemsPerSec", itemsPerSecond);
        figures.put("itemsPerJob", itemsPerJob);
        figures.put("sentItemsPerSec", producingNanos.get() == 0 ? 0
                : Math.round((double) jobs * itemsPerJob * 1e9 / producingNanos.get()));
        figures.put("jobs", jobs);
        figures.put("leadSec", lead.toMillis() / 1e3);
        figures.put("measuredJobs", micros.getTotalCount());
        figures.put("p50Ms", millis(micros.getValueAtPercentile(50)));
        figures.put("p95Ms", millis(micros.getValueAtPercentile(95)));
        figures.put("p99Ms", millis(micros.getValueAtPercentile(99)));
        figures.put("maxMs", millis(micros.getMaxValue()));
        env.say("%s (commit.interval.ms=%d, %d items/s): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                label, commitIntervalMs, itemsPerSecond, figures.get("p50Ms"), figures.get("p95Ms"), figures.get("p99Ms"),
                figures.get("maxMs"));
        return new Result(figures, millis(micros.getValueAtPercentile(99)), problems);
    }

    /** Each job: its JobCreated, then its items at the global item rate; remembers when each job's last item left. */
    private void produce(String prefix, int jobs, int itemsPerJob, int itemsPerSecond, Map<String, Long> lastItemSentAt,
                         AtomicReference<Throwable> failure, AtomicLong producingNanos) {
        Instant now = Instant.now();
        long start = System.nanoTime();
        long nanosPerItem = 1_000_000_000L / itemsPerSecond;
        long sent = 0;
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                env.promptProducerConfig("tally-bench-latency"), new StringSerializer(), env.serdes().serializer())) {
            for (int j = 0; j < jobs && failure.get() == null; j++) {
                String jobId = prefix + String.format(Locale.ROOT, "%06d", j);
                producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), jobId, JobCreated.newBuilder()
                        .setJobId(jobId).setPipeline("bench-latency").setSourceRef(jobId).setExpectedCount(itemsPerJob)
                        .setCountedStage("items").setStages(List.of("items")).setCreatedAt(now).build()), callback(failure));
                for (int i = 0; i < itemsPerJob; i++) {
                    long dueAt = start + sent * nanosPerItem;
                    long wait = dueAt - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    if (i == itemsPerJob - 1) {
                        // Before the send: the completion can be read back before send() even returns.
                        lastItemSentAt.put(jobId, System.nanoTime());
                    }
                    producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, ItemProcessed.newBuilder()
                            .setJobId(jobId).setItemId("item-" + i).setOutcome(ItemOutcome.SUCCEEDED).setAttempt(1)
                            .setProcessedAt(now).build()), callback(failure));
                    sent++;
                }
            }
            producer.flush();
            producingNanos.set(System.nanoTime() - start);
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private static org.apache.kafka.clients.producer.Callback callback(AtomicReference<Throwable> failure) {
        return (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
