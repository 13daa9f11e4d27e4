package io.tally.celebrity.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** The bundled roster and the fixture-backed offline sources: 100 people, one entry each per source, always the same. */
class OfflineSourceTest {

    private final Roster roster = Roster.read(new ClassPathResource("celebrities/roster.json"));

    @Test
    void theRosterHoldsTheSeedsHundredCelebritiesWithDistinctIds() {
        // Given the bundled roster, when its first 1000 are asked for
        List<Celebrity> all = roster.first(1000);

        // Then there are 100, each with its own id
        assertThat(all).hasSize(100);
        assertThat(all).extracting(Celebrity::id).doesNotHaveDuplicates().allMatch(id -> id.matches("[a-z0-9-]+"));
    }

    @Test
    void eachOfflineSourceAnswersOneEntryPerCelebrityTheSameEveryTimeAndSaysItIsOffline() {
        for (CelebritySource source : Stream.of(OfflineSource.tmdb(), OfflineSource.wikipedia(), OfflineSource.news(),
                OfflineSource.social()).toList()) {
            // Given an offline source, when it collects the roster twice
            List<SourceEntry> first = source.collect(roster.first(100));
            List<SourceEntry> again = source.collect(roster.first(100));

            // Then it has 100 entries with a metric and a text, equal both times, and names itself offline
            assertThat(first).as(source.source()).hasSize(100).allSatisfy(entry -> {
                assertThat(entry.metric()).isPositive();
                assertThat(entry.text()).isNotBlank();
            });
            assertThat(again).isEqualTo(first);
            assertThat(source.adapter()).isEqualTo(OfflineSource.ADAPTER);
        }
    }

    @Test
    void refusesARosterWithAnIdTwice() {
        Celebrity one = roster.first(1).get(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Roster(List.of(one, one)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
