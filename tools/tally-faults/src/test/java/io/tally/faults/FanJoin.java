package io.tally.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import io.tally.events.PipelineTriggered;
import io.tally.events.TaskResult;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import io.tally.faults.tasks.FanPart;
import io.tally.faults.tasks.FanSumInput;
import io.tally.faults.worker.FanWorkerApplication;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The declared fan-join pipeline of the fault suite (test resources {@code pipelines/fan-join.yml}: {@code list} →
 * {@code work} over its elements, {@code side} beside them, {@code sum} joining both) and what its tests share:
 * triggering a run, duplicating work requests and results while it runs ({@link Duplicator}), and judging the join.
 * Known gap: the join is judged by what the engine dispatched to it (committed requests), not by how often a worker
 * ran it; an SDK worker killed mid-task runs it again (at-least-once, libs/tally-worker/README.md).
 */
final class FanJoin {

    static final String PIPELINE = "fan-join";
    static final Path PIPELINES = Path.of("src/test/resources/pipelines").toAbsolutePath();
    static final String WORK_REQUESTS = TaskHeaders.requestTopic("fan-work");
    static final String SUM_REQUESTS = TaskHeaders.requestTopic("fan-sum");
    /** Work requests of elements whose index is a multiple of this are sent twice (same {@code ce_id}). */
    static final int DUPLICATE_REQUEST_EVERY = 5;
    /** The first work result of elements whose index is 3 more than a multiple of this is sent twice. */
    static final int DUPLICATE_RESULT_EVERY = 7;

    private FanJoin() {
    }

    /** The engine's arguments: publish the test pipelines folder at start-up, report status often. */
    static String[] engineArguments() {
        return new String[] {"--tally.pipelines.dir=" + PIPELINES, "--tally.tracker.status-interval=200ms"};
    }

    /** Triggers a run of {@code count} elements as the API does (keyed by trigger id), and returns its job id. */
    static String trigger(FaultStack stack, String jobId, int count) throws Exception {
        String triggerId = "manual:" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = stack.producer()) {
            producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, PipelineTriggered.newBuilder()
                    .setTriggerId(triggerId).setJobId(jobId).setPipeline(PIPELINE).setTriggeredAt(Instant.now())
                    .setParameters(Map.of("count", Integer.toString(count))).build())).get();
        }
        return jobId;
    }

    /** One completion, COMPLETED, with every element of the fan-out succeeded once (the counted stage is work). */
    static JobExpectation expectation(String jobId, int count) {
        return new JobExpectation(jobId, PIPELINE + "?count=" + count, JobState.COMPLETED, count, count, 0, 0, false,
                false);
    }

    /** The extra results the {@link Duplicator} causes for a run of {@code count} elements. */
    static long injectedDuplicates(int count) {
        return IntStream.range(0, count).filter(i -> i % DUPLICATE_REQUEST_EVERY == 0).count()
                + IntStream.range(0, count).filter(i -> i % DUPLICATE_RESULT_EVERY == 3).count();
    }

    /**
     * Asserts that the engine dispatched the join of {@code jobId} once (one committed request), with every element's
     * output once, in list order, and the side output; returns that input.
     */
    static FanSumInput assertJoinedOnce(FaultStack stack, String jobId, int count) {
        List<FanSumInput> joins = committedRequests(stack, SUM_REQUESTS, jobId, FanSumInput.class);
        assertThat(joins).as("join requests of %s", jobId).hasSize(1);
        FanSumInput join = joins.get(0);
        assertThat(join.getParts()).extracting(FanPart::getKey)
                .as("the join's parts: each element once, in list order")
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(FanWorkerApplication::key).toList());
        assertThat(join.getParts()).extracting(FanPart::getSquare)
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> (long) i * i).toList());
        assertThat(join.getSide().getLabel()).isEqualTo("side-of-" + jobId);
        return join;
    }

    /** The committed requests of {@code jobId} on a task topic, decoded as the task type's input. */
    static <T extends SpecificRecord> List<T> committedRequests(FaultStack stack, String topic, String jobId,
                                                               Class<T> type) {
        Deserializer<T> deserializer = stack.serdes.deserializer(type);
        return ExactlyOnceChecker.readRaw(stack.bootstrapServers(), topic).stream()
                .filter(record -> jobId.equals(record.key()))
                .map(record -> deserializer.deserialize(topic, record.headers(), record.value())).toList();
    }

    /**
     * Re-sends, byte for byte and with every header, the committed work request of each element whose index is a
     * multiple of {@link #DUPLICATE_REQUEST_EVERY} (a redelivery: same {@code ce_id}, so the SDK runs it again and
     * answers twice), and the first work result of each element whose index is 3 more than a multiple of
     * {@link #DUPLICATE_RESULT_EVERY} (a producer retry of the worker's result). Copies carry
     * {@link ExactlyOnceChecker#INJECTED_HEADER} so they are not copied again. It also counts the work results it
     * sees, for tests that time a fault by progress.
     */
    static final class Duplicator implements AutoCloseable {

        private final AtomicLong workResults = new AtomicLong();
        private final AtomicLong requestsCopied = new AtomicLong();
        private final AtomicLong resultsCopied = new AtomicLong();
        private final Set<String> copied = ConcurrentHashMap.newKeySet();
        private final Deserializer<TaskResult> results;
        private final RecordTap tap;

        Duplicator(FaultStack stack) {
            results = stack.serdes.deserializer(TaskResult.class);
            tap = new RecordTap(stack, "duplicator", List.of(WORK_REQUESTS, Topics.TASK_RESULTS.name()),
                    this::copyIfChosen);
        }

        private void copyIfChosen(ConsumerRecord<String, byte[]> record) {
            if (record.topic().equals(WORK_REQUESTS)) {
                String item = RecordTap.header(record, TaskHeaders.ITEM);
                if (item != null && index(item) % DUPLICATE_REQUEST_EVERY == 0
                        && copied.add("request " + RecordTap.header(record, TaskHeaders.CE_ID))) {
                    tap.copy(record);
                    requestsCopied.incrementAndGet();
                }
                return;
            }
            TaskResult result = results.deserialize(record.topic(), record.headers(), record.value());
            if (!"work".equals(result.getStage()) || result.getOutcome() != ItemOutcome.SUCCEEDED) {
                return;
            }
            workResults.incrementAndGet();
            if (index(result.getItemId()) % DUPLICATE_RESULT_EVERY == 3
                    && copied.add("result " + result.getJobId() + "/" + result.getItemId())) {
                tap.copy(record);
                resultsCopied.incrementAndGet();
            }
        }

        /** Work results (SUCCEEDED, copies not counted) seen so far, of every job. */
        long workResults() {
            return workResults.get();
        }

        long requestsCopied() {
            return requestsCopied.get();
        }

        long resultsCopied() {
            return resultsCopied.get();
        }

        /** {@code e0042} → 42. */
        private static int index(String itemId) {
            return Integer.parseInt(itemId.substring(1));
        }

        @Override
        public void close() throws InterruptedException {
            tap.close();
        }
    }
}
