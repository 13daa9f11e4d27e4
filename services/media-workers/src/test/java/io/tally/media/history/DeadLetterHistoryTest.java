package io.tally.media.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.tasks.TaskHeaders;
import io.tally.media.InMemoryHistory;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.ProcessVideoInput;
import io.tally.worker.TaskListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** A dead-lettered process-video request becomes DEAD_LETTERED, unless a later DONE is there; unreadable ones are skipped. */
class DeadLetterHistoryTest {

    private static final Instant NOW = Instant.parse("2026-12-03T04:00:00Z");
    private static final Deserializer<ProcessVideoInput> REQUESTS = (topic, data) -> {
        if (data.length == 0) {
            throw new IllegalArgumentException("not a registry-framed record");
        }
        return ProcessVideoInput.newBuilder().setJobId("job-1").setVideoId(new String(data, StandardCharsets.UTF_8))
                .setUrl("https://www.youtube.com/watch?v=x").build();
    };

    private final InMemoryHistory history = new InMemoryHistory();
    private final DeadLetterHistory deadLetters = new DeadLetterHistory(history, REQUESTS, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aDeadLetterBecomesDeadLetteredWithItsCodeReasonAndAttempt() {
        // When the SDK's dead letter of tallyvid007 arrives
        deadLetters.onDeadLetter(deadLetter("tallyvid007", NOW.minusSeconds(5)));

        // Then the history says DEAD_LETTERED with the code and the reason
        MediaHistoryEntry entry = history.table().get("tallyvid007");
        assertThat(entry.getState()).isEqualTo(MediaItemState.DEAD_LETTERED);
        assertThat(entry.getReason()).isEqualTo("video-unavailable: Video unavailable. This video is private");
        assertThat(entry.getAttempt()).isEqualTo(1);
        assertThat(entry.getJobId()).isEqualTo("job-1");
    }

    @Test
    void aDeadLetterOlderThanTheVideosDoneLeavesItDone() {
        // Given the video DONE a minute after its dead letter was written (a redrive, or a later attempt, succeeded)
        history.write(MediaHistoryEntry.newBuilder().setVideoId("tallyvid007").setState(MediaItemState.DONE)
                .setJobId("job-1").setAt(NOW.minusSeconds(60)).build());

        // When the older dead letter is read (late, or again by a new listener group)
        deadLetters.onDeadLetter(deadLetter("tallyvid007", NOW.minusSeconds(120)));

        // Then DONE stays
        assertThat(history.table().get("tallyvid007").getState()).isEqualTo(MediaItemState.DONE);
    }

    @Test
    void aDeadLetterThatIsNoRequestIsSkipped() {
        // When a record whose value cannot be read is dead-lettered
        deadLetters.onDeadLetter(new ConsumerRecord<>("tally.dlt.tasks.process-video", 0, 3, NOW.toEpochMilli(),
                TimestampType.CREATE_TIME, 0, 0, "job-1", new byte[0], new RecordHeaders(), Optional.empty()));

        // Then nothing is written
        assertThat(history.writes()).isEmpty();
    }

    private static ConsumerRecord<String, byte[]> deadLetter(String videoId, Instant at) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TaskListener.ERROR_CODE_HEADER, "video-unavailable".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SPRING_MESSAGE, "Video unavailable. This video is private".getBytes(StandardCharsets.UTF_8));
        headers.add(TaskHeaders.ATTEMPT, "1".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("tally.dlt.tasks.process-video", 0, 0, at.toEpochMilli(), TimestampType.CREATE_TIME, 0,
                0, "job-1", videoId.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }
}
