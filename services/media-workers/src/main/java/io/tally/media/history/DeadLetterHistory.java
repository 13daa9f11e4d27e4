package io.tally.media.history;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.tasks.TaskHeaders;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.ProcessVideoInput;
import io.tally.worker.TaskListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each dead-lettered {@code process-video} request ({@code tally.dlt.tasks.process-video}) into a DEAD_LETTERED
 * history entry with the error code and reason, the seed's DLQ row. The SDK answers the engine for the same record in
 * its own group; this is a second reader. A dead letter older than a DONE already in the history (an attempt that
 * failed before a later one, or a redrive, succeeded) leaves the DONE as it is. A record that is no readable request
 * is logged and skipped: the SDK's listener has already reported it.
 */
public class DeadLetterHistory {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHistory.class);

    private final MediaHistory history;
    private final Deserializer<ProcessVideoInput> requests;
    private final Clock clock;

    public DeadLetterHistory(MediaHistory history, Deserializer<ProcessVideoInput> requests, Clock clock) {
        this.history = history;
        this.requests = requests;
        this.clock = clock;
    }

    /** One dead letter, as the listener container hands it over. */
    public void onDeadLetter(ConsumerRecord<String, byte[]> record) {
        ProcessVideoInput input;
        try {
            input = requests.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("Dead letter {}-{}@{} is no process-video request, not in the history: {}", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (input == null) {
            return;
        }
        Instant failedAt = Instant.ofEpochMilli(record.timestamp());
        var current = history.get(input.getVideoId());
        if (current.isPresent() && current.get().getState() == MediaItemState.DONE
                && current.get().getAt().isAfter(failedAt)) {
            LOG.info("Video {} dead-lettered at {} but DONE since {}: the history keeps DONE", input.getVideoId(),
                    failedAt, current.get().getAt());
            return;
        }
        String code = header(record, TaskListener.ERROR_CODE_HEADER, "retries-exhausted");
        String reason = code + ": " + DeadLetterHeaders.reason(record.headers());
        history.write(MediaHistoryEntry.newBuilder().setVideoId(input.getVideoId()).setState(MediaItemState.DEAD_LETTERED)
                .setJobId(input.getJobId()).setUrl(input.getUrl()).setTitle(input.getTitle())
                .setAttempt(Integer.parseInt(header(record, TaskHeaders.ATTEMPT, "0")))
                .setAt(clock.instant()).setReason(reason).build());
        LOG.info("Video {} of job {} dead-lettered: {}", input.getVideoId(), input.getJobId(), reason);
    }

    private static String header(ConsumerRecord<?, ?> record, String name, String otherwise) {
        Header header = record.headers().lastHeader(name);
        return header == null ? otherwise : new String(header.value(), StandardCharsets.UTF_8);
    }
}
