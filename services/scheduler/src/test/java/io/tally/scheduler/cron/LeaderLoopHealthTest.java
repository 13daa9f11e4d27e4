package io.tally.scheduler.cron;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.scheduler.SchedulerProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** The leader loop's failure count as health and meters. */
class LeaderLoopHealthTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LeaderLoopHealth health = new LeaderLoopHealth(new SchedulerProperties(true, Duration.ofSeconds(1),
            Duration.ofMinutes(1), List.of(), new SchedulerProperties.Recovery(Duration.ofSeconds(1), Duration.ofMinutes(1), 3)),
            meters);

    @Test
    void staysUpBelowTheLimitGoesDownAtItAndComesBackUpAfterASuccess() {
        // Given two failures in a row
        health.failed(new IllegalStateException("one"), Instant.EPOCH);
        health.failed(new IllegalStateException("two"), Instant.EPOCH);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        // When a third follows
        int inARow = health.failed(new IllegalStateException("three"), Instant.EPOCH);
        // Then the contributor is DOWN with the count and the last error, and the meters show it
        assertThat(inARow).isEqualTo(3);
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.health().getDetails()).containsEntry("consecutiveFailures", 3)
                .containsEntry("lastError", "java.lang.IllegalStateException: three");
        assertThat(meters.get(LeaderLoopHealth.CONSECUTIVE_FAILURES).gauge().value()).isEqualTo(3.0);
        // When a tick succeeds
        health.succeeded();
        // Then it is UP again; the total stays counted
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(meters.get(LeaderLoopHealth.CONSECUTIVE_FAILURES).gauge().value()).isZero();
        assertThat(meters.get(LeaderLoopHealth.FAILURES).counter().count()).isEqualTo(3.0);
    }

    @Test
    void staysDownAfterAnErrorEndedTheLoop() {
        // When the leader thread dies of an Error
        health.died(new OutOfMemoryError("test"), Instant.EPOCH);
        // Then the contributor is DOWN at once, and stays DOWN: nothing runs that could succeed
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        health.succeeded();
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.health().getDetails()).containsEntry("loop", "died");
    }
}
