package io.tally.media.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.tasks.media.MediaItem;
import io.tally.worker.TaskFailedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline default: the bundled playlist and channel by URL, their overlap, the private video, other URLs refused. */
class FixtureMetadataTest {

    private final FixtureMetadata fixture = new FixtureMetadata();

    @Test
    void thePlaylistHasTwelveVideosAndTheChannelEightOfWhichTwoAreInThePlaylist() {
        // When both fixture sources are read
        SourceMetadata playlist = fixture.source(FixtureMetadata.PLAYLIST_URL);
        SourceMetadata channel = fixture.source(FixtureMetadata.CHANNEL_URL);

        // Then the playlist lists 12, the channel 8, and exactly tallyvid011 and tallyvid012 are in both
        List<String> playlistIds = playlist.items().stream().map(MediaItem::getVideoId).toList();
        List<String> channelIds = channel.items().stream().map(MediaItem::getVideoId).toList();
        assertThat(playlistIds).hasSize(12).contains(FixtureMetadata.BROKEN_VIDEO);
        assertThat(channelIds).hasSize(8);
        assertThat(channelIds.stream().filter(playlistIds::contains)).containsExactly("tallyvid011", "tallyvid012");
        assertThat(playlist.kind()).isEqualTo("playlist");
        assertThat(channel.kind()).isEqualTo("channel");
        // And it says it is the fixture
        assertThat(fixture.adapter()).isEqualTo("fixture");
        assertThat(playlist.title()).startsWith("Tally fixture");
    }

    @Test
    void readsTheSameAnswerEveryTime() {
        // When / Then deterministic: two reads are equal
        assertThat(fixture.source(FixtureMetadata.PLAYLIST_URL)).isEqualTo(new FixtureMetadata().source(FixtureMetadata.PLAYLIST_URL));
    }

    @Test
    void thePrivateVideoIsUnavailableAndTheOthersAreThere() {
        // When / Then
        assertThatThrownBy(() -> fixture.video("https://www.youtube.com/watch?v=" + FixtureMetadata.BROKEN_VIDEO))
                .isInstanceOfSatisfying(TaskFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(MediaMetadata.VIDEO_UNAVAILABLE));
        MediaItem video = fixture.video("https://www.youtube.com/watch?v=tallyvid104");
        assertThat(video.getTitle()).isEqualTo("Making a beat in 10 minutes");
        assertThat(video.getDurationSeconds()).isEqualTo(654L);
    }

    @Test
    void anotherUrlIsRefusedNamingTheFixtureUrls() {
        // When / Then
        assertThatThrownBy(() -> fixture.source("https://www.youtube.com/playlist?list=PLsomethingElse"))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(MediaMetadata.SOURCE_UNAVAILABLE);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains(FixtureMetadata.PLAYLIST_URL, FixtureMetadata.CHANNEL_URL);
                });
    }
}
