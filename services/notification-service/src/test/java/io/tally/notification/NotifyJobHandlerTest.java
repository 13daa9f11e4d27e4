package io.tally.notification;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.jobs.NotificationKind;
import io.tally.events.ChartTrack;
import io.tally.events.NotificationRequested;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.NotifyJobInput;
import io.tally.events.tasks.NotifyJobOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.FixedTaskContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The notify-job task: one summary per job under the job's notification id (the channels' idempotency key), naming
 * the failed searches; a kind the configuration does not notify is skipped.
 */
class NotifyJobHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T07:00:00Z"), ZoneOffset.UTC);

    private final List<NotificationRequested> intents = new ArrayList<>();

    private NotifyJobHandler handler(NotificationProperties config) {
        return new NotifyJobHandler(config, new NotifyMetrics(new SimpleMeterRegistry()), intents::add, CLOCK);
    }

    private static ChartTrack track(int position, String key, String title) {
        return ChartTrack.newBuilder().setPosition(position).setTrackKey(key).setArtists(List.of("Artist " + key))
                .setTitle(title).build();
    }

    private static NotifyJobInput input(List<SearchTrackOutput> results) {
        return NotifyJobInput.newBuilder().setJobId("job-1").setPipeline("beatport-chart")
                .setSourceRef("beatport/2026/11/22/top100").setPlaylistTitle("Beatport Top 100 — 2026-11-22")
                .setPlaylistUrl("file:///playlists/top100.m3u").setPlaylistCreated(true).setEntryCount(1).setSkippedCount(1)
                .setSearched(List.of(track(1, "t1", "Greece 2000"), track(2, "t2", "Take Your Places")))
                .setResults(results).build();
    }

    private static SearchTrackOutput found(String key) {
        return SearchTrackOutput.newBuilder().setTrackKey(key).setResolution(TrackResolution.FOUND).setVideoId("v-" + key).build();
    }

    @Test
    void requestsOneSummaryThatNamesTheFailedSearch() throws Exception {
        NotifyJobOutput output = handler(NotificationProperties.defaults(Path.of("target/unused-outbox")))
                .run(input(List.of(found("t1"))), FixedTaskContext.of("job-1", "notify", null));

        assertThat(intents).singleElement().satisfies(intent -> {
            assertThat(intent.getNotificationId()).isEqualTo(NotificationKind.FAILED.jobNotificationId("job-1"));
            assertThat(intent.getKind()).isEqualTo("failed");
            assertThat(intent.getJobId()).isEqualTo("job-1");
            assertThat(intent.getSubject()).contains("job-1").contains("failed");
            assertThat(intent.getBody()).contains("t2: Artist t2 - Take Your Places").contains("file:///playlists/top100.m3u")
                    .contains("1 found, 0 not found, 1 failed");
            assertThat(intent.getReportsStage()).isFalse();
            assertThat(intent.getFieldsJson()).contains("\"failedItems\":[\"t2\"]");
        });
        assertThat(output.getNotificationId()).isEqualTo("failed:job-1");
        assertThat(output.getRequestedAt()).isEqualTo(CLOCK.instant());
    }

    @Test
    void requestsACompletedSummaryWhenEverySearchAnswered() throws Exception {
        handler(NotificationProperties.defaults(Path.of("target/unused-outbox")))
                .run(input(List.of(found("t1"), found("t2"))), FixedTaskContext.of("job-1", "notify", null));

        assertThat(intents).singleElement().satisfies(intent -> {
            assertThat(intent.getNotificationId()).isEqualTo(NotificationKind.COMPLETED.jobNotificationId("job-1"));
            assertThat(intent.getSubject()).isEqualTo("[tally] beatport-chart completed: job-1");
            assertThat(intent.getBody()).doesNotContain("Failed items");
        });
    }

    @Test
    void skipsAKindTheConfigurationDoesNotNotify() throws Exception {
        NotificationProperties defaults = NotificationProperties.defaults(Path.of("target/unused-outbox"));
        NotificationProperties onlyFailures = new NotificationProperties(EnumSet.of(NotificationKind.FAILED),
                defaults.playlistWait(), defaults.checkInterval(), defaults.maxFailedItems(), defaults.outboxDir(),
                defaults.retry(), defaults.delivery(), defaults.email(), defaults.webhook());

        NotifyJobOutput output = handler(onlyFailures).run(input(List.of(found("t1"), found("t2"))),
                FixedTaskContext.of("job-1", "notify", null));

        assertThat(output).isNull();
        assertThat(intents).isEmpty();
    }
}
