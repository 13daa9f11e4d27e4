package io.tally.celebrity.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static io.tally.celebrity.TestEntries.entry;

import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.Sentiment;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Weight and sentiment of one entry, and the raw-value hash that makes enrichment idempotent. */
class EnrichmentTest {

    @Test
    void weighsTheMetricOnTheSourcesLogScaleFromZeroToAHundred() {
        // Given figures at zero, at each source's ceiling, beyond it and in between
        // When they are weighed, then zero weighs 0, the ceiling 100, beyond is capped, and between is logarithmic
        assertThat(Enrichment.weight("news", 0)).isZero();
        assertThat(Enrichment.weight("news", 1_000)).isEqualTo(100);
        assertThat(Enrichment.weight("social", 50_000_000)).isEqualTo(100);
        assertThat(Enrichment.weight("wikipedia", 5_000_000)).isEqualTo(100);
        assertThat(Enrichment.weight("tmdb", 200_000)).isEqualTo(100);
        assertThat(Enrichment.weight("news", 31)).isEqualTo(50);
    }

    @Test
    void readsSentimentFromPositiveMinusNegativeWords() {
        // Given texts with more positive, more negative, and balanced or no known words
        // When each is scored, then the sign decides the sentiment
        assertThat(Enrichment.enrich(entry("a", "news", 5, "Star WINS award\nacclaimed show", "j"), Instant.EPOCH)
                .getSentiment()).isEqualTo(Sentiment.POSITIVE);
        assertThat(Enrichment.enrich(entry("a", "news", 5, "lawsuit and scandal, a record-breaking backlash", "j"),
                Instant.EPOCH)).satisfies(profile -> {
                    assertThat(profile.getSentiment()).isEqualTo(Sentiment.NEGATIVE);
                    assertThat(profile.getSentimentScore()).isEqualTo(-2);
                });
        assertThat(Enrichment.enrich(entry("a", "news", 5, "appears at a premiere", "j"), Instant.EPOCH).getSentiment())
                .isEqualTo(Sentiment.NEUTRAL);
        assertThat(Enrichment.sentimentScore("brilliant feud")).isZero();
    }

    @Test
    void hashesTheRawValueWithoutTheJobOrTheTime() {
        // Given the same answer collected by two jobs, and a changed answer
        CelebrityEntry first = entry("a", "news", 5, "text", "job-1");
        CelebrityEntry nextWeek = CelebrityEntry.newBuilder(entry("a", "news", 5, "text", "job-2"))
                .setCollectedAt(Instant.parse("2026-12-06T02:00:00Z")).build();
        CelebrityEntry changed = entry("a", "news", 6, "text", "job-2");

        // Then the same answer hashes the same, a changed one differently
        assertThat(Enrichment.hash(nextWeek)).isEqualTo(Enrichment.hash(first));
        assertThat(Enrichment.hash(changed)).isNotEqualTo(Enrichment.hash(first));
    }

    @Test
    void keepsTheEntrysFiguresInTheProfile() {
        CelebrityProfile profile = Enrichment.enrich(entry("taylor-swift", "social", 429_959, "loved", "job-1"),
                Instant.parse("2026-11-29T02:01:00Z"));

        assertThat(profile.getCelebrityId()).isEqualTo("taylor-swift");
        assertThat(profile.getSource()).isEqualTo("social");
        assertThat(profile.getMetric()).isEqualTo(429_959L);
        assertThat(profile.getWeight()).isEqualTo(94);
        assertThat(profile.getJobId()).isEqualTo("job-1");
        assertThat(profile.getEntryHash()).hasSize(64);
    }

    @Test
    void refusesAnEntryOfAnUnknownSourceOrWithANegativeMetricOrNoName() {
        assertThatThrownBy(() -> Enrichment.enrich(entry("a", "myspace", 5, "t", "j"), Instant.EPOCH))
                .isInstanceOf(BadEntryException.class).hasMessageContaining("unknown source 'myspace'");
        assertThatThrownBy(() -> Enrichment.enrich(entry("a", "news", -1, "t", "j"), Instant.EPOCH))
                .isInstanceOf(BadEntryException.class).hasMessageContaining("negative metric");
        assertThatThrownBy(() -> Enrichment.enrich(CelebrityEntry.newBuilder(entry("a", "news", 1, "t", "j")).setName(" ")
                .build(), Instant.EPOCH)).isInstanceOf(BadEntryException.class).hasMessageContaining("no name");
    }
}
