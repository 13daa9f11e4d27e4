package io.tally.bench;

import io.tally.bench.BenchEnvironment.BenchFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Runs one topology on a fresh application id and state directory, on one stream thread with
 * {@code exactly_once_v2}, and times it against its committed output.
 */
final class StreamsRun {

    /** After the output looked complete, keep reading this long so that a doubled record is caught too. */
    static final Duration QUIET_PERIOD = Duration.ofSeconds(3);

    /** Rate of one run, plus what went wrong in it (an error of the streams client, a timeout). */
    record Measurement(double recordsPerSecond, List<String> problems) {
    }

    private StreamsRun() {
    }

    /** The settings every measured topology shares, plus {@code overrides} (the tracker's shipped settings). */
    static Properties properties(BenchEnvironment env, String name, Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tally-bench-" + name + "-" + env.runId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put("ensure.explicit.internal.resource.naming", true);
        props.putAll(overrides);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap());
        props.put(StreamsConfig.STATE_DIR_CONFIG, env.workDir().resolve("state-" + name).toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // No standbys on one instance, whatever the shipped default says.
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        return props;
    }

    /**
     * Starts {@code topology} and reads {@code outputTopic} read_committed from its current end until {@code done}
     * says the output is complete. The rate is {@code inputRecords} over the time from the client going RUNNING to
     * the poll that completed the output: commit latency is included, start-up and rebalance are not. With
     * {@code watchForDoubles}, reading goes on for {@link #QUIET_PERIOD} after that.
     */
    static <V> Measurement measure(BenchEnvironment env, String name, Topology topology, Properties props,
                                   String outputTopic, Deserializer<V> values, long inputRecords,
                                   Predicate<ConsumerRecords<String, V>> done, boolean watchForDoubles) {
        AtomicLong runningAt = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        long deadline = System.nanoTime() + env.timeout().toNanos();
        try (KafkaConsumer<String, V> consumer = committedReaderAtEnd(env, name, outputTopic, values);
             KafkaStreams streams = new KafkaStreams(topology, props)) {
            streams.setStateListener((newState, oldState) -> {
                if (newState == KafkaStreams.State.RUNNING) {
                    runningAt.compareAndSet(0, System.nanoTime());
                }
            });
            streams.setUncaughtExceptionHandler(e -> {
                error.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            while (runningAt.get() == 0) {
                check(env, name, error, deadline);
                BenchEnvironment.sleep(10);
            }
            while (!done.test(consumer.poll(Duration.ofMillis(50)))) {
                check(env, name, error, deadline);
            }
            long finishedAt = System.nanoTime();
            if (watchForDoubles) {
                long quietUntil = System.nanoTime() + QUIET_PERIOD.toNanos();
                while (System.nanoTime() < quietUntil) {
                    done.test(consumer.poll(Duration.ofMillis(100)));
                }
            }
            streams.close(Duration.ofSeconds(60));
            List<String> problems = error.get() == null ? List.of() : List.of(name + " failed: " + error.get());
            return new Measurement(inputRecords / ((finishedAt - runningAt.get()) / 1e9), problems);
        } catch (BenchFailure e) {
            return new Measurement(0, List.of(e.getMessage()));
        }
    }

    /**
     * A consumer of every partition of {@code topic}, positioned at its current end, that sees only committed
     * output: aborted transactions must not make a topology look faster, and only what the measured run commits
     * counts (an earlier run may have written to the same topic).
     */
    static <V> KafkaConsumer<String, V> committedReaderAtEnd(BenchEnvironment env, String name, String topic,
                                                            Deserializer<V> values) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap(),
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-bench-" + name + "-reader-" + env.runId(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
                new StringDeserializer(), values);
        List<TopicPartition> partitions = IntStream.range(0, consumer.partitionsFor(topic).size())
                .mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the positions now, before anything is produced: seekToEnd alone is lazy.
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static void check(BenchEnvironment env, String name, AtomicReference<Throwable> error, long deadline) {
        if (error.get() != null) {
            throw new BenchFailure(name + " topology failed: " + error.get());
        }
        if (System.nanoTime() > deadline) {
            throw new BenchFailure(name + " did not finish within " + env.timeout());
        }
    }
}
