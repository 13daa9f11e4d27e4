package io.tally.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.bench.BenchEnvironment.BenchFailure;
import io.tally.bench.tasks.BenchElementInput;
import io.tally.bench.tasks.BenchElementOutput;
import io.tally.bench.tasks.BenchStepInput;
import io.tally.bench.tasks.BenchStepOutput;
import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PipelineTriggered;
import io.tally.events.TaskResult;
import io.tally.jobtracker.JobTrackerTopology;
import io.tally.jobtracker.TrackerProperties;
import io.tally.pipeline.PipelineLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Issue 14: the pipeline engine's own rate. The tracker's topology with the real {@code RegistryTaskCodec} runs one
 * definition, a chain of {@value #CHAIN} single-task stages then one fan-out stage of {@value #FAN_OUT} elements, for
 * J jobs triggered at once; an in-process echo worker (a plain {@code KafkaConsumer} on the two task topics,
 * {@code read_committed}, and a producer of {@code TaskResult}s whose outputs are framed through the registry) answers
 * every request as soon as it reads it. Timed from the first trigger sent until the J-th {@code JobCompleted} is
 * committed: stage transitions (stages ended), task round trips (results applied) and jobs per second. The run fails
 * unless every job completed exactly once, COMPLETED, with each of its tasks dispatched exactly once. One unmeasured
 * warm-up batch runs first on the same topology and worker. Method and figures: docs/benchmarks.md ("The engine").
 * The cost curves run it with other definitions ({@link Shape#chain}), each under its own application name.
 */
final class EngineBench {

    static final String PIPELINE = "bench-engine";
    static final String STEP = "bench-step";
    static final String ELEMENT = "bench-element";
    static final int CHAIN = 3;
    static final int FAN_OUT = 10;
    static final int STAGES_PER_JOB = CHAIN + 1;
    static final int TASKS_PER_JOB = CHAIN + FAN_OUT;
    /** The echo worker's producer: answers leave within a few ms, batched as a busy worker's would be. */
    static final int WORKER_LINGER_MS = 5;

    /** first → second → third → fanout (one task per key of third's output). */
    static final String DEFINITION = """
            name: bench-engine
            version: 1
            description: The engine bench's pipeline, three single tasks then a fan-out of ten.
            stages:
              - id: first
                task: bench-step
                input: {job: "${job.id}"}
              - id: second
                task: bench-step
                dependsOn: [first]
                input: {job: "${job.id}"}
              - id: third
                task: bench-step
                dependsOn: [second]
                input: {job: "${job.id}"}
              - id: fanout
                task: bench-element
                dependsOn: [third]
                forEach: {items: "${stages.third.output.keys}", itemKey: "${item}"}
                input: {key: "${item}"}
            """;

    record Result(Map<String, Object> figures, List<String> problems) {
    }

    /** The definition a run measures, with the stages and tasks each of its jobs has. */
    record Shape(String pipeline, String definition, int stagesPerJob, int tasksPerJob) {

        static final Shape DEFAULT = new Shape(PIPELINE, DEFINITION, STAGES_PER_JOB, TASKS_PER_JOB);

        /** For the cost curve over pipeline length (issue 16): {@code stages} single-task stages, one after another. */
        static Shape chain(int stages) {
            String name = PIPELINE + "-chain-" + stages;
            StringBuilder yaml = new StringBuilder("name: " + name + "\nversion: 1\n"
                    + "description: The engine bench's chain of " + stages + " single-task stages.\nstages:\n");
            for (int stage = 1; stage <= stages; stage++) {
                yaml.append("  - id: s").append(stage).append("\n    task: ").append(STEP).append('\n');
                if (stage > 1) {
                    yaml.append("    dependsOn: [s").append(stage - 1).append("]\n");
                }
                yaml.append("    input: {job: \"${job.id}\"}\n");
            }
            return new Shape(name, yaml.toString(), stages, stages);
        }
    }

    private final BenchEnvironment env;
    private final Admin admin;
    private final Shape shape;
    /** Names the engine's application and its reader, so that several shapes can run in one bench run. */
    private final String name;

    EngineBench(BenchEnvironment env, Admin admin) {
        this(env, admin, Shape.DEFAULT, "engine");
    }

    EngineBench(BenchEnvironment env, Admin admin, Shape shape, String name) {
        this.env = env;
        this.admin = admin;
        this.shape = shape;
        this.name = name;
    }

    /**
     * @param jobs        J, the measured jobs
     * @param warmUpJobs  jobs run first, unmeasured, on the same topology and worker
     */
    Result run(int jobs, int warmUpJobs) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> figures = new LinkedHashMap<>();
        Map<String, Object> trackerSettings = TrackerSettings.streamsProperties();
        figures.put("jobs", jobs);
        figures.put("stagesPerJob", shape.stagesPerJob());
        figures.put("tasksPerJob", shape.tasksPerJob());
        figures.put("commitIntervalMs", TrackerSettings.commitIntervalMs(trackerSettings));
        AtomicReference<Throwable> streamsError = new AtomicReference<>();
        try {
            prepare();
            String reader = name + "-completions";
            try (KafkaStreams streams = new KafkaStreams(JobTrackerTopology.build(TrackerProperties.defaults(),
                         env.serdes(), new SimpleMeterRegistry()), StreamsRun.properties(env, name, trackerSettings));
                 EchoWorker worker = new EchoWorker();
                 KafkaConsumer<String, JobCompleted> completions = StreamsRun.committedReaderAtEnd(env, reader,
                         Topics.JOB_COMPLETED.name(), env.serdes().deserializer(JobCompleted.class));
                 KafkaProducer<String, SpecificRecord> triggers = new KafkaProducer<>(
                         env.bulkProducerConfig("tally-bench-engine-triggers"), new StringSerializer(),
                         env.serdes().serializer())) {
                streams.setUncaughtExceptionHandler(e -> {
                    streamsError.compareAndSet(null, e);
                    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                });
                long deadline = System.nanoTime() + env.timeout().toNanos();
                streams.start();
                await("the engine to start", deadline, streamsError, worker, () -> streams.state() == KafkaStreams.State.RUNNING);
                worker.start();
                await("the echo worker's assignment", deadline, streamsError, worker, worker::assigned);

                Map<String, List<JobCompleted>> completed = new HashMap<>();
                Batch warmUp = trigger(triggers, name + "-warm", warmUpJobs);
                await("the warm-up jobs", deadline, streamsError, worker, () -> read(completions, completed) >= 0
                        && warmUp.ids().stream().allMatch(completed::containsKey));
                env.say("%s warm-up: %d jobs completed", name, warmUpJobs);

                deadline = System.nanoTime() + env.timeout().toNanos();
                long answeredBefore = worker.answered.get();
                Batch measured = trigger(triggers, name + "-job", jobs);
                await("the measured jobs", deadline, streamsError, worker, () -> read(completions, completed) >= 0
                        && measured.ids().stream().allMatch(completed::containsKey));
                long finishedAt = System.nanoTime();
                long answered = worker.answered.get() - answeredBefore;
                long quietUntil = System.nanoTime() + StreamsRun.QUIET_PERIOD.toNanos();
                while (System.nanoTime() < quietUntil) {
                    read(completions, completed);
                }
                double seconds = (finishedAt - measured.startedAt()) / 1e9;
                figures.put("seconds", round3(seconds));
                figures.put("jobsPerSec", Math.round(jobs / seconds));
                figures.put("stageTransitionsPerSec", Math.round((double) jobs * shape.stagesPerJob() / seconds));
                figures.put("taskRoundTripsPerSec", Math.round((double) jobs * shape.tasksPerJob() / seconds));
                figures.put("taskResultsSent", answered);
                figures.put("completions", measured.ids().stream().mapToInt(id -> completed.get(id).size()).sum());
                verify(measured, completed, worker, shape.tasksPerJob(), problems);
                verify(warmUp, completed, worker, shape.tasksPerJob(), problems);
                problems.addAll(worker.problems);
                env.say("engine: %d jobs of %d stages / %d tasks in %.2f s: %,d jobs/s, %,d stage transitions/s,"
                                + " %,d task round trips/s, problems=%d", jobs, shape.stagesPerJob(), shape.tasksPerJob(),
                        seconds, figures.get("jobsPerSec"), figures.get("stageTransitionsPerSec"),
                        figures.get("taskRoundTripsPerSec"), problems.size());
                streams.close(Duration.ofSeconds(60));
            }
        } catch (BenchFailure e) {
            problems.add(e.getMessage());
        } catch (Exception e) {
            problems.add("engine: " + e);
        }
        if (streamsError.get() != null) {
            problems.add("engine topology failed: " + streamsError.get());
        }
        return new Result(figures, problems);
    }

    /** The task topics, both task types' contracts (as their worker would register them), and the definition. */
    private void prepare() throws Exception {
        List<String> taskTopics = List.of(TaskHeaders.requestTopic(STEP), TaskHeaders.requestTopic(ELEMENT));
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        admin.createTopics(taskTopics.stream().filter(topic -> !existing.contains(topic))
                .map(topic -> new NewTopic(topic, Topics.JOB_PARTITIONS, (short) 1)).toList()).all().get(60, TimeUnit.SECONDS);
        BenchCommand.awaitLeaders(admin, taskTopics);
        env.serdes().registerValueContract(TaskHeaders.requestTopic(STEP), BenchStepInput.class);
        env.serdes().registerSubjectContract(TaskHeaders.outputSubject(STEP), BenchStepOutput.class);
        env.serdes().registerValueContract(TaskHeaders.requestTopic(ELEMENT), BenchElementInput.class);
        env.serdes().registerSubjectContract(TaskHeaders.outputSubject(ELEMENT), BenchElementOutput.class);
        // Fails here, with the loader's message, rather than as failed jobs when the definition is wrong.
        var definition = PipelineLoader.load(shape.pipeline() + ".yml", shape.definition());
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                env.promptProducerConfig("tally-bench-engine-definitions"), new StringSerializer(), env.serdes().serializer())) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_DEFINITIONS.name(),
                    PublishedDefinitions.key(definition.name(), definition.version()),
                    PublishedDefinitions.of(definition, Instant.now()))).get(30, TimeUnit.SECONDS);
        }
    }

    /** The job ids of one batch of triggers, and when its first trigger was handed to the producer. */
    private record Batch(List<String> ids, long startedAt) {
    }

    /** Triggers {@code count} runs keyed by trigger id, as the scheduler and the API do; job ids are per run. */
    private Batch trigger(KafkaProducer<String, SpecificRecord> producer, String prefix, int count) {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> prefix + "-" + env.runId() + "-" + i).toList();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long startedAt = System.nanoTime();
        Instant now = Instant.now();
        for (String jobId : ids) {
            String triggerId = "bench:" + jobId;
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline(shape.pipeline()).setTriggeredAt(now)
                    .setParameters(Map.of()).setRequestedBy("tally-bench").build()), (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
        }
        producer.flush();
        if (failure.get() != null) {
            throw new BenchFailure("engine: sending triggers failed: " + failure.get());
        }
        return new Batch(ids, startedAt);
    }

    /** Adds what the reader returns to {@code completed}; returns how many records it read. */
    private static int read(KafkaConsumer<String, JobCompleted> reader, Map<String, List<JobCompleted>> completed) {
        var batch = reader.poll(Duration.ofMillis(50));
        batch.forEach(record -> completed.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value()));
        return batch.count();
    }

    /** Every job of the batch completed once, COMPLETED, and each of its tasks was requested exactly once. */
    private static void verify(Batch batch, Map<String, List<JobCompleted>> completed, EchoWorker worker,
                               int tasksPerJob, List<String> problems) {
        int wrong = 0;
        for (String jobId : batch.ids()) {
            List<JobCompleted> ends = completed.getOrDefault(jobId, List.of());
            Set<String> tasks = worker.tasksByJob.getOrDefault(jobId, Set.of());
            String problem = ends.size() != 1 ? "completed %d times".formatted(ends.size())
                    : ends.get(0).getState() != JobState.COMPLETED ? "ended %s: %s".formatted(ends.get(0).getState(),
                    ends.get(0).getReason())
                    : tasks.size() != tasksPerJob ? "had %d tasks requested, not %d".formatted(tasks.size(), tasksPerJob)
                    : null;
            if (problem != null && wrong++ < 5) {
                problems.add("engine: job " + jobId + " " + problem);
            }
        }
        if (wrong > 5) {
            problems.add("engine: %d more jobs were wrong".formatted(wrong - 5));
        }
    }

    private static void await(String what, long deadline, AtomicReference<Throwable> streamsError, EchoWorker worker,
                              java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            if (!worker.problems.isEmpty()) {
                throw new BenchFailure("engine: the echo worker failed while waiting for " + what + ": "
                        + worker.problems.get(0));
            }
            if (streamsError.get() != null) {
                throw new BenchFailure("engine topology failed while waiting for " + what + ": " + streamsError.get());
            }
            if (System.nanoTime() > deadline) {
                throw new BenchFailure("engine: timed out waiting for %s (%d task results sent)".formatted(what,
                        worker.answered.get()));
            }
            BenchEnvironment.sleep(10);
        }
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /**
     * A worker of both task types in one thread: reads requests {@code read_committed} (only what the engine
     * committed is work), decodes each input through the registry, and answers SUCCEEDED at once with its output
     * framed under {@code tally.tasks.<type>.output}. Records each task it was asked for, to catch a doubled
     * dispatch. At-least-once like the worker SDK: offsets are auto-committed.
     */
    private final class EchoWorker implements AutoCloseable {

        private static final List<String> KEYS = IntStream.range(0, FAN_OUT).mapToObj(i -> "k" + i).toList();

        final AtomicLong answered = new AtomicLong();
        final Map<String, Set<String>> tasksByJob = new ConcurrentHashMap<>();
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        private final KafkaConsumer<String, byte[]> consumer;
        private final KafkaProducer<String, SpecificRecord> producer;
        private final Serializer<SpecificRecord> outputs = env.serdes().subjectSerializer();
        private final Deserializer<GenericRecord> inputs = env.serdes().genericDeserializer();
        private final Thread thread = new Thread(this::loop, "tally-bench-engine-worker");
        private volatile boolean assigned;
        private volatile boolean stopping;

        EchoWorker() {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap(),
                    ConsumerConfig.GROUP_ID_CONFIG, "tally-bench-engine-worker-" + env.runId(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000),
                    new StringDeserializer(), new ByteArrayDeserializer());
            Map<String, Object> producerConfig = new HashMap<>(env.bulkProducerConfig("tally-bench-engine-worker"));
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, WORKER_LINGER_MS);
            producer = new KafkaProducer<>(producerConfig, new StringSerializer(), env.serdes().serializer());
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        boolean assigned() {
            return assigned;
        }

        private void loop() {
            try {
                consumer.subscribe(List.of(TaskHeaders.requestTopic(STEP), TaskHeaders.requestTopic(ELEMENT)));
                while (!stopping) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    if (!consumer.assignment().isEmpty()) {
                        assigned = true;
                    }
                    for (ConsumerRecord<String, byte[]> record : records) {
                        answer(record);
                    }
                }
            } catch (WakeupException stopped) {
                // close() below
            } catch (RuntimeException e) {
                problems.add("engine: the echo worker failed: " + e);
            }
        }

        private void answer(ConsumerRecord<String, byte[]> record) {
            Instant startedAt = Instant.now();
            Map<String, String> headers = new HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            String taskType = headers.get(TaskHeaders.TASK_TYPE);
            String jobId = headers.get(TaskHeaders.JOB);
            if (!tasksByJob.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(headers.get(TaskHeaders.CE_SUBJECT))) {
                problems.add("engine: task " + headers.get(TaskHeaders.CE_ID) + " was requested twice");
            }
            GenericRecord input = inputs.deserialize(record.topic(), record.value());
            SpecificRecord output = taskType.equals(STEP) ? new BenchStepOutput(KEYS)
                    : new BenchElementOutput(String.valueOf(input.get("key")));
            byte[] framed = outputs.serialize(TaskHeaders.outputSubject(taskType), output);
            TaskResult result = TaskResult.newBuilder().setTaskId(headers.get(TaskHeaders.CE_ID)).setJobId(jobId)
                    .setStage(headers.get(TaskHeaders.STAGE)).setItemId(headers.get(TaskHeaders.ITEM))
                    .setAttempt(Integer.parseInt(headers.get(TaskHeaders.ATTEMPT))).setTaskType(taskType)
                    .setOutcome(ItemOutcome.SUCCEEDED).setOutput(ByteBuffer.wrap(framed)).setWorker("tally-bench-echo")
                    .setStartedAt(startedAt).setEndedAt(Instant.now()).build();
            producer.send(new ProducerRecord<>(Topics.TASK_RESULTS.name(), jobId, result), (metadata, e) -> {
                if (e != null) {
                    problems.add("engine: sending a task result failed: " + e);
                }
            });
            answered.incrementAndGet();
        }

        @Override
        public void close() {
            stopping = true;
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(10));
        }
    }
}
