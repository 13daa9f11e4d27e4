package io.tally.playlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.topics.Topics;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.PlaylistTrack;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The delivery consumer's logic with a {@link RecordingAdapter}: an intent made through the adapter with its outcomes
 * written together, a failure after the last retry reported FAILED by the dead-letter handler, a redrive that makes
 * the playlist, and intents no decision could have written refused as poison.
 */
class PlaylistDeliveryTest {

    private static final String SOURCE = "beatport/2024/08/12/top100";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RecordingAdapter adapter = new RecordingAdapter();
    private final List<ProducerRecord<String, Object>> outcomes = new ArrayList<>();
    private final PlaylistDelivery delivery = new PlaylistDelivery(adapter, new PlaylistMetrics(meters, adapter.name()),
            (input, consumer, written) -> outcomes.addAll(written));

    @Test
    void makesTheIntendedPlaylistAndWritesItsPlaylistCreatedAndSucceededStageTogether() {
        // When an intent of two videos out of a four-track chart is delivered
        delivery.onRequest(request(intent("job-1")), null);

        // Then the adapter makes that playlist in chart order
        assertThat(adapter.calls).singleElement().satisfies(draft -> {
            assertThat(draft.entries()).extracting(PlaylistEntry::videoId).containsExactly("video1", "video3");
            assertThat(draft.title()).isEqualTo("Beatport Top 100 — 2024-08-12");
        });
        // And one PlaylistCreated and one SUCCEEDED playlist stage, keyed by the job, are written in one publish
        assertThat(outcomes).extracting(ProducerRecord::topic)
                .containsExactly(Topics.PLAYLISTS_CREATED.name(), Topics.STAGE_REPORTED.name());
        assertThat(outcomes).extracting(ProducerRecord::key).containsOnly("job-1");
        assertThat(outcomes.get(0).value()).isInstanceOfSatisfying(PlaylistCreated.class, created -> {
            assertThat(created.getSourceRef()).isEqualTo(SOURCE);
            assertThat(created.getUrl()).isEqualTo("fake://playlists/" + SOURCE);
            assertThat(created.getEntryCount()).isEqualTo(2);
            assertThat(created.getSkippedCount()).isEqualTo(2);
        });
        assertThat(outcomes.get(1).value()).isInstanceOfSatisfying(StageReported.class, stage -> {
            assertThat(stage.getState()).isEqualTo(StageState.SUCCEEDED);
            assertThat(stage.getDone()).isEqualTo(2);
            assertThat(stage.getTotal()).isEqualTo(4);
        });
        assertThat(meters.get(PlaylistMetrics.ENTRIES).counter().count()).isEqualTo(2);
    }

    @Test
    void reportsFailedWithTheReasonAfterTheLastRetryAndMakesThePlaylistWhenTheIntentIsRedriven() {
        // Given an adapter that keeps failing
        adapter.failure = new PlaylistAdapterException("YouTube playlists.insert failed: 403 quotaExceeded", null);
        PlaylistRequested intent = intent("job-1");

        // When the delivery fails and, its retries spent, the intent reaches the dead-letter handler
        assertThatThrownBy(() -> delivery.onRequest(request(intent), null)).isInstanceOf(PlaylistAdapterException.class);
        ConsumerRecord<String, Object> dead = new ConsumerRecord<>(Topics.PLAYLIST_SERVICE_DLT.name(), 0, 0, "job-1", intent);
        dead.headers().add(DeadLetterHeaders.SPRING_MESSAGE, "403 quotaExceeded".getBytes(StandardCharsets.UTF_8));
        delivery.onDeadLetter(dead, null);

        // Then only a FAILED playlist stage with the reason is written
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.value())
                .isInstanceOfSatisfying(StageReported.class, stage -> {
                    assertThat(stage.getState()).isEqualTo(StageState.FAILED);
                    assertThat(stage.getDetail()).contains("fake adapter could not make the playlist").contains("quotaExceeded");
                }));
        // And a redrive of the intent, once the adapter works, makes the playlist
        adapter.failure = null;
        outcomes.clear();
        delivery.onRequest(request(intent), null);
        assertThat(adapter.calls).hasSize(2);
        assertThat(outcomes).extracting(ProducerRecord::topic)
                .containsExactly(Topics.PLAYLISTS_CREATED.name(), Topics.STAGE_REPORTED.name());
    }

    @Test
    void refusesAnIntentWhoseKeyIsNotItsJobOrThatHasNoEntryAsPoisonWithoutCallingTheAdapter() {
        PlaylistRequested empty = PlaylistRequested.newBuilder(intent("job-2")).setEntries(List.of()).build();

        assertThatThrownBy(() -> delivery.onRequest(new ConsumerRecord<>(Topics.PLAYLISTS_REQUESTED.name(), 0, 0, "other",
                intent("job-1")), null)).isInstanceOf(PoisonRecordException.class).hasMessageContaining("differs");
        assertThatThrownBy(() -> delivery.onRequest(request(empty), null))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("at least one entry");
        assertThat(adapter.calls).isEmpty();
        assertThat(outcomes).isEmpty();
    }

    private static ConsumerRecord<String, PlaylistRequested> request(PlaylistRequested intent) {
        return new ConsumerRecord<>(Topics.PLAYLISTS_REQUESTED.name(), 0, 0, intent.getJobId(), intent);
    }

    private static PlaylistRequested intent(String jobId) {
        return PlaylistRequested.newBuilder().setJobId(jobId).setSourceRef(SOURCE).setChartName("Beatport Top 100")
                .setChartDate(LocalDate.of(2024, 8, 12))
                .setEntries(List.of(track(1), track(3)))
                .setSkippedCount(2).setChartSize(4).setRequestedAt(Instant.parse("2026-11-23T10:00:00Z")).build();
    }

    private static PlaylistTrack track(int position) {
        return PlaylistTrack.newBuilder().setPosition(position).setArtists(List.of("Artist " + position))
                .setTitle("Title " + position).setVideoId("video" + position).build();
    }
}
