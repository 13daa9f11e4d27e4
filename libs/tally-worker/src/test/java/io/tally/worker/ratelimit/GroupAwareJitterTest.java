package io.tally.worker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The jitter formula: jitter ∈ [0, baseJitter × max(1, members)). */
class GroupAwareJitterTest {

    @Test
    void upperBoundGrowsLinearlyWithTheGroupAndNeverDropsBelowOneMember() {
        // Given a base jitter of 100 ms
        Duration base = Duration.ofMillis(100);
        // When the bound is computed for several group sizes, then it is base × max(1, members)
        assertThat(GroupAwareJitter.upperBound(base, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(GroupAwareJitter.upperBound(base, 1)).isEqualTo(Duration.ofMillis(100));
        assertThat(GroupAwareJitter.upperBound(base, 3)).isEqualTo(Duration.ofMillis(300));
        assertThat(GroupAwareJitter.upperBound(base, 10)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void drawsJittersInsideTheBoundOfTheCurrentGroupSize() {
        // Given a group that grows from 1 to 4 members
        AtomicInteger members = new AtomicInteger(1);
        GroupAwareJitter jitter = new GroupAwareJitter(Duration.ofMillis(50), members::get);
        // When many jitters are drawn at each size
        // Then every one lies in [0, 50 ms × members), and with 4 members some exceed the one-member bound
        assertThat(IntStream.range(0, 500).mapToObj(i -> jitter.next()))
                .allSatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMillis(50)));
        members.set(4);
        var wide = IntStream.range(0, 500).mapToObj(i -> jitter.next()).toList();
        assertThat(wide).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(200)));
        assertThat(wide).anySatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(50)));
    }

    @Test
    void hasNoJitterWhenTheBaseIsZero() {
        // Given a zero base, when a jitter is drawn for a big group, then there is no pause
        assertThat(new GroupAwareJitter(Duration.ZERO, () -> 20).next()).isZero();
    }
}
