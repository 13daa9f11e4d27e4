package io.tally.common.youtube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The daily YouTube unit budget: refusals with a reason, metrics, and the reset at Pacific midnight. */
class YouTubeQuotaTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MovableClock clock = new MovableClock(ZonedDateTime.of(2026, 12, 2, 22, 0, 0, 0, PACIFIC).toInstant());
    private final YouTubeQuota quota = new YouTubeQuota(YouTubeQuota.GENERAL, 10_000, PACIFIC, clock, meters);

    @Test
    void refusesWorkThatWouldExceedWhatIsLeftAndNamesNeededLeftAndReset() {
        // Given 8,800 units spent today
        quota.charge("playlistItems.insert", 8_800);
        // When a 100-track playlist (5,050 units) asks
        // Then it is refused with the arithmetic and the reset time, and nothing more is charged
        assertThatThrownBy(() -> quota.require(5_050)).isInstanceOf(YouTubeQuotaExceededException.class)
                .hasMessage("YouTube quota budget: 5,050 units needed, 1,200 units left today (resets 00:00 America/Los_Angeles)");
        assertThat(quota.remaining()).isEqualTo(1_200);
    }

    @Test
    void countsUnitsPerApiAndShowsWhatIsLeft() {
        // When one playlist and two items are inserted
        quota.charge("playlists.insert", 50);
        quota.charge("playlistItems.insert", 50);
        quota.charge("playlistItems.insert", 50);
        // Then the counter has the units per api and the gauge what is left
        assertThat(meters.get(YouTubeQuota.UNITS).tags("bucket", "general", "api", "playlistItems.insert").counter().count())
                .isEqualTo(100.0);
        assertThat(meters.get(YouTubeQuota.UNITS).tags("api", "playlists.insert").counter().count()).isEqualTo(50.0);
        assertThat(meters.get(YouTubeQuota.REMAINING).tags("bucket", "general").gauge().value()).isEqualTo(9_850.0);
    }

    @Test
    void quotaExceededFromYouTubeEmptiesTheBucketUntilPacificMidnightThenWorkResumes() {
        // Given YouTube said quotaExceeded at 22:00 Pacific
        quota.exhausted();
        assertThatThrownBy(() -> quota.acquire("search.list", 1)).isInstanceOf(YouTubeQuotaExceededException.class);
        // When it is 23:59 Pacific (07:59 UTC the next day) the bucket is still empty
        clock.advance(Duration.ofMinutes(119));
        assertThat(quota.remaining()).isZero();
        // Then at 00:00 Pacific the full budget is back
        clock.advance(Duration.ofMinutes(1));
        assertThat(quota.remaining()).isEqualTo(10_000);
        quota.acquire("search.list", 1);
        assertThat(quota.remaining()).isEqualTo(9_999);
    }

    /** A clock tests move forward. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
