package io.tally.testsupport;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends task requests to a worker as the engine does (docs/adr/0016-task-envelope.md: keyed by job id, the typed input
 * in the registry's wire format, the {@code ce_*} headers of the job-tracker's {@code TaskRequest}) and reads the
 * {@code TaskResult}s it answers on {@code tally.tasks.results}, for worker integration tests. Known gap: the value is
 * written with the input's own schema, not the latest one the engine would look up (the same schema while the worker
 * under test registered it).
 */
public final class TaskRequests {

    private final KafkaTestClient kafka;
    private final AvroSerdes serdes;

    public TaskRequests(KafkaTestClient kafka, AvroSerdes serdes) {
        this.kafka = kafka;
        this.serdes = serdes;
    }

    /** A job id no other test uses. */
    public static String newJob() {
        return "job-" + UUID.randomUUID();
    }

    /**
     * Sends attempt {@code attempt} of stage {@code stage}'s task of type {@code taskType} ({@code itemId} null for a
     * single task, else the fan-out element) and waits for the broker; returns the task id ({@code ce_id}).
     */
    public String send(String taskType, String jobId, String stage, String itemId, int attempt, SpecificRecord input) {
        String taskId = TaskHeaders.taskId(jobId, stage, itemId, attempt);
        Instant now = Instant.now();
        ProducerRecord<String, SpecificRecord> record = new ProducerRecord<>(TaskHeaders.requestTopic(taskType), null,
                jobId, input, TaskHeaders.requestHeaders(taskType, jobId, stage, itemId, attempt, "tally/pipelines/test/1",
                        now, now.plus(Duration.ofMinutes(5))));
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending task " + taskId, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not send task " + taskId + ": " + e.getCause().getMessage(), e);
        }
        return taskId;
    }

    /** The results of job {@code jobId}: waits for {@code count}, then a moment more so a duplicate shows. */
    public List<ConsumerRecord<String, TaskResult>> results(String jobId, int count) {
        return kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class, KafkaTestClient.withKey(jobId), count,
                KafkaTestClient.WAIT);
    }

    /** A result's output, read through the registry as the task type's output record {@code type}. */
    public <O extends SpecificRecord> O output(TaskResult result, Class<O> type) {
        byte[] framed = new byte[result.getOutput().remaining()];
        result.getOutput().duplicate().get(framed);
        return serdes.deserializer(type).deserialize(TaskHeaders.outputSubject(result.getTaskType()), framed);
    }
}
