package io.tally.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.scheduler.SchedulerProperties.Recovery;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The leader loop's back-off and the checks of its settings. */
class SchedulerPropertiesTest {

    @Test
    void doublesTheBackoffPerFailureInARowUpToTheCap() {
        // Given a back-off from 1s capped at 5s
        Recovery recovery = new Recovery(Duration.ofSeconds(1), Duration.ofSeconds(5), 5);
        // Then the waits are 1s, 2s, 4s, then 5s however many failures follow
        assertThat(recovery.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(recovery.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(recovery.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(recovery.backoff(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(recovery.backoff(1_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void refusesANonPositiveInitialBackoffAndACapBelowIt() {
        assertThatThrownBy(() -> new Recovery(Duration.ZERO, Duration.ofSeconds(5), 5))
                .hasMessageContaining("initial-backoff must be positive");
        assertThatThrownBy(() -> new Recovery(Duration.ofSeconds(10), Duration.ofSeconds(5), 5))
                .hasMessageContaining("max-backoff");
    }
}
