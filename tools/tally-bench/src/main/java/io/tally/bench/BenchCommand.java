package io.tally.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.testsupport.InMemorySchemaRegistry;
import io.tally.testsupport.KafkaBrokerProcess;
import io.tally.tracker.JobTrackerTopology;
import io.tally.tracker.TrackerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tally bench} (first part of issue 5): on one real broker child process, measures the producer ceiling, an
 * identity and a {@code groupByKey().count()} topology with {@code exactly_once_v2}, and the job tracker, and checks
 * that the tracker completed every job exactly once with the right counts. Prints a JSON summary as the last stdout
 * line and writes it to {@code --output}.
 * Known gaps: completion latency, end to end, 1M-job scale and restore (items 4-6 of the issue) are not measured
 * yet; the schema registry is the in-memory one in this JVM, so registry round trips are not part of the figures.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the job tracker against Kafka's own limits on a real local broker; prints a JSON"
                + " summary as the last line. Exit 1 when the tracker lost or doubled a job.")
public class BenchCommand implements Callable<Integer> {

    static final String INPUT_TOPIC = "bench.input";
    static final String IDENTITY_OUTPUT = "bench.identity.output";
    static final String COUNT_OUTPUT = "bench.count.output";
    static final String IDENTITY_SOURCE = "bench-identity-source";
    static final String IDENTITY_SINK = "bench-identity-sink";
    static final String COUNT_SOURCE = "bench-count-source";
    static final String COUNT_GROUP = "bench-count-group";
    static final String COUNT_PROCESSOR = "bench-count";
    static final String COUNT_STORE = "bench-count-store";
    static final String COUNT_TO_STREAM = "bench-count-to-stream";
    static final String COUNT_SINK = "bench-count-sink";
    static final int PARTITIONS = Topics.JOB_PARTITIONS;
    static final int VALUE_BYTES = 300;
    /** After the last expected completion, keep reading this long so that a doubled completion is caught. */
    static final Duration QUIET_PERIOD = Duration.ofSeconds(3);
    private static final long SEED = 20261123L;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A smaller run (N=200k records, 2k jobs x 50 items) for under 3 minutes.")
    boolean quick;

    @Option(names = "--output", defaultValue = "target/bench-summary.json", paramLabel = "FILE",
            description = "Where the JSON summary is written (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "Give up on one measurement after this long, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--records", hidden = true, description = "N: records for the producer, identity and count runs.")
    Integer records;

    @Option(names = "--jobs", hidden = true, description = "J: jobs for the tracker run, and keys for the count run.")
    Integer jobs;

    @Option(names = "--items", hidden = true, description = "M: distinct items per job.")
    Integer items;

    private PrintWriter out;
    private String bootstrap;
    private Path workDir;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    public static void main(String[] args) {
        // Avro 1.12 refuses generated classes outside trusted packages; the surefire config sets this for tests.
        if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) {
            System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.tally.events");
        }
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        int n = records != null ? records : quick ? 200_000 : 1_000_000;
        int j = jobs != null ? jobs : quick ? 2_000 : 10_000;
        int m = items != null ? items : quick ? 50 : 100;
        if (n < 1 || j < 1 || m < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "records, jobs and items must be positive");
        }
        long started = System.nanoTime();
        workDir = Files.createTempDirectory("tally-bench-");
        Map<String, Object> summary = new LinkedHashMap<>();
        boolean verified;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().maxHeap("768m").start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            bootstrap = broker.bootstrapServers();
            createTopics(admin);
            say("broker %s up; N=%d records of %d B, J=%d jobs x M=%d items", bootstrap, n, VALUE_BYTES, j, m);

            double producer = produceInput(n, j);
            say("producer: %.0f records/s", producer);
            double identity = runIdentity(n);
            say("identity EOS: %.0f records/s", identity);
            double count = runCount(n, j);
            say("count EOS: %.0f records/s", count);
            TrackerResult tracker = runTracker(j, m);
            verified = tracker.problems().isEmpty();
            say("tracker EOS: %.0f records/s, verified=%s", tracker.recordsPerSecond(), verified);
            tracker.problems().stream().limit(20).forEach(problem -> spec.commandLine().getErr().println("ERROR: " + problem));

            summary.put("mode", records != null || jobs != null || items != null ? "custom" : quick ? "quick" : "full");
            summary.put("records", n);
            summary.put("valueBytes", VALUE_BYTES);
            summary.put("jobs", j);
            summary.put("itemsPerJob", m);
            summary.put("partitions", PARTITIONS);
            summary.put("producerRecordsPerSec", round(producer));
            summary.put("identityEosRecordsPerSec", round(identity));
            summary.put("countEosRecordsPerSec", round(count));
            summary.put("trackerRecords", tracker.records());
            summary.put("trackerEosRecordsPerSec", round(tracker.recordsPerSecond()));
            summary.put("trackerCompletions", tracker.completions());
            Map<String, Object> ratios = new LinkedHashMap<>();
            ratios.put("identityToProducer", round3(identity / producer));
            ratios.put("countToProducer", round3(count / producer));
            ratios.put("trackerToCount", round3(tracker.recordsPerSecond() / count));
            summary.put("ratios", ratios);
            summary.put("trackerToCountTarget", 0.8);
            summary.put("verified", verified);
            summary.put("durationSec", round3((System.nanoTime() - started) / 1e9));
        } finally {
            deleteRecursively(workDir);
        }
        String json = JsonMapper.builder().build().writeValueAsString(summary);
        Path target = output.toAbsolutePath();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.writeString(target, json + System.lineSeparator());
        out.println(json);
        out.flush();
        return verified ? 0 : 1;
    }

    private void createTopics(Admin admin) throws Exception {
        List<NewTopic> topics = new ArrayList<>(Topics.newTopics(PARTITIONS, (short) 1));
        Stream.of(INPUT_TOPIC, IDENTITY_OUTPUT, COUNT_OUTPUT)
                .forEach(name -> topics.add(new NewTopic(name, PARTITIONS, (short) 1)));
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
    }

    /**
     * Waits until the broker answers ListOffsets as leader for every partition: producing to a partition whose
     * leadership is still being set up can leave an idempotent producer stuck on OUT_OF_ORDER_SEQUENCE_NUMBER.
     */
    private void awaitLeaders(Admin admin, List<String> topicNames) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        admin.describeTopics(topicNames).allTopicNames().toCompletionStage().toCompletableFuture().join()
                .forEach((name, description) -> description.partitions().forEach(
                        partition -> partitions.put(new TopicPartition(name, partition.partition()), OffsetSpec.latest())));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bench topics have no leader after 60 s", notYet);
                }
                sleep(200);
            }
        }
    }

    /** Step 1: producer ceiling; the records are also the input of the identity and count runs. */
    private double produceInput(int n, int keys) {
        Random random = new Random(SEED);
        byte[][] values = new byte[256][VALUE_BYTES];
        for (byte[] value : values) {
            random.nextBytes(value);
        }
        String[] keyNames = IntStream.range(0, keys).mapToObj(TrackerWorkload::jobId).toArray(String[]::new);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start;
        long end;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig("tally-bench-producer"),
                new StringSerializer(), Serdes.ByteArray().serializer())) {
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(INPUT_TOPIC, keyNames[i % keys], values[i & 255]),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            end = System.nanoTime();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the bench input failed", failure.get());
        }
        return n / ((end - start) / 1e9);
    }

    private Map<String, Object> producerConfig(String clientId) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.BATCH_SIZE_CONFIG, 131_072,
                ProducerConfig.LINGER_MS_CONFIG, 20);
    }

    /** Step 2: identity topology; done when N records are committed in its output. */
    private double runIdentity(int n) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT_TOPIC, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(IDENTITY_SOURCE))
                .to(IDENTITY_OUTPUT, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(IDENTITY_SINK));
        long[] seen = {0};
        return measure("identity", builder.build(), IDENTITY_OUTPUT, Serdes.ByteArray().deserializer(), n,
                batch -> (seen[0] += batch.count()) >= n).recordsPerSecond;
    }

    /** Step 3: {@code groupByKey().count()} over J keys; done when the latest counts add up to N. */
    private double runCount(int n, int keys) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT_TOPIC, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(COUNT_SOURCE))
                .groupByKey(Grouped.with(COUNT_GROUP, Serdes.String(), Serdes.ByteArray()))
                .count(Named.as(COUNT_PROCESSOR), Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(COUNT_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream(Named.as(COUNT_TO_STREAM))
                .to(COUNT_OUTPUT, Produced.with(Serdes.String(), Serdes.Long()).withName(COUNT_SINK));
        Map<String, Long> latest = new HashMap<>();
        long[] sum = {0};
        return measure("count", builder.build(), COUNT_OUTPUT, Serdes.Long().deserializer(), n, batch -> {
            batch.forEach(record -> {
                Long previous = latest.put(record.key(), record.value());
                sum[0] += record.value() - (previous == null ? 0 : previous);
            });
            return sum[0] >= n;
        }).recordsPerSecond;
    }

    record TrackerResult(long records, double recordsPerSecond, int completions, List<String> problems) {
    }

    /** Step 4: the job tracker on J jobs x M items; done when J completions are committed, then verified. */
    private TrackerResult runTracker(int j, int m) {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroSerdes serdes = AvroSerdes.forClient(registry);
        TrackerWorkload workload = new TrackerWorkload(j, m, SEED);
        List<TrackerWorkload.Event> events = workload.events();
        produceTrackerInput(events, serdes);
        say("tracker input: %d records produced", events.size());

        List<JobCompleted> completions = new ArrayList<>();
        java.util.Set<String> completedJobs = new java.util.HashSet<>();
        Topology topology = JobTrackerTopology.build(TrackerConfig.defaults(), serdes, new SimpleMeterRegistry());
        Measurement measurement = measure("tracker", topology, Topics.JOB_COMPLETED.name(),
                serdes.deserializer(JobCompleted.class), events.size(), batch -> {
                    batch.forEach(record -> {
                        completions.add(record.value());
                        completedJobs.add(record.key());
                    });
                    return completedJobs.size() >= j;
                });
        List<String> problems = new ArrayList<>(measurement.problems);
        problems.addAll(workload.verify(completions));
        return new TrackerResult(events.size(), measurement.recordsPerSecond, completions.size(), problems);
    }

    private void produceTrackerInput(List<TrackerWorkload.Event> events, AvroSerdes serdes) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        // Increasing timestamps carry the produced order across the two input topics into Kafka Streams.
        long base = System.currentTimeMillis() - events.size();
        Serializer<SpecificRecord> values = serdes.serializer();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                producerConfig("tally-bench-tracker-input"), new StringSerializer(), values)) {
            for (int i = 0; i < events.size(); i++) {
                TrackerWorkload.Event event = events.get(i);
                producer.send(new ProducerRecord<>(event.topic(), null, base + i, event.jobId(), event.value()),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the tracker input failed", failure.get());
        }
    }

    /** Rate of one topology run, plus what went wrong in it (an error of the streams client, a timeout). */
    record Measurement(double recordsPerSecond, List<String> problems) {
    }

    /**
     * Starts {@code topology} on a fresh application id and state dir, and reads {@code outputTopic} read_committed
     * from the beginning until {@code done} says the output is complete. The rate is {@code inputRecords} over the
     * time from the client going RUNNING to the poll that completed the output: commit latency is included, start-up
     * and rebalance are not.
     */
    private <V> Measurement measure(String name, Topology topology, String outputTopic, Deserializer<V> values,
            long inputRecords, Predicate<ConsumerRecords<String, V>> done) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tally-bench-" + name + "-" + runId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state-" + name).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put("ensure.explicit.internal.resource.naming", true);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        AtomicLong runningAt = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, V> consumer = outputConsumer(name, values);
             KafkaStreams streams = new KafkaStreams(topology, props)) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(outputTopic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
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
                check(name, error, deadline);
                sleep(10);
            }
            while (!done.test(consumer.poll(Duration.ofMillis(50)))) {
                check(name, error, deadline);
            }
            long finishedAt = System.nanoTime();
            if (name.equals("tracker")) {
                // Keep reading: a doubled completion would be committed after the last expected one.
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

    private <V> KafkaConsumer<String, V> outputConsumer(String name, Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-bench-" + name + "-reader",
                // Only committed output counts: aborted transactions must not make a topology look faster.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
                new StringDeserializer(), values);
    }

    private void check(String name, AtomicReference<Throwable> error, long deadline) {
        if (error.get() != null) {
            throw new BenchFailure(name + " topology failed: " + error.get());
        }
        if (System.nanoTime() > deadline) {
            throw new BenchFailure(name + " did not finish within " + timeout);
        }
    }

    /** A measurement that could not finish; reported, never thrown out of {@link #call()}. */
    static final class BenchFailure extends RuntimeException {
        BenchFailure(String message) {
            super(message);
        }
    }

    private void say(String format, Object... args) {
        // Progress goes to stderr: the JSON summary must stay the last stdout line.
        PrintWriter err = spec.commandLine().getErr();
        err.println("bench: " + String.format(java.util.Locale.ROOT, format, args));
        err.flush();
    }

    private static long round(double value) {
        return Math.round(value);
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted");
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + dir, e);
        }
    }
}
