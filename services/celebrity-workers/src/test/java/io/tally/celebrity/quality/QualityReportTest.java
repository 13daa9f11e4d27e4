package io.tally.celebrity.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.celebrity.enrich.Enrichment;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityInput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quality check's distributions and the seed's thresholds on hand-made tables. */
class QualityReportTest {

    private static final List<String> SOURCES = List.of("tmdb", "wikipedia", "news", "social");
    private static final String JOB = "celebrity-weekly-1";

    private final List<CelebrityEntry> entries = new ArrayList<>();
    private final Map<String, CelebrityProfile> profiles = new HashMap<>();

    private static CheckCelebrityQualityInput input() {
        return CheckCelebrityQualityInput.newBuilder().setJobId(JOB).setSources(SOURCES).build();
    }

    /** {@code count} celebrities' entries of {@code source} for {@code job}, the first {@code enriched} enriched. */
    private void write(String job, String source, int count, int enriched) {
        for (int i = 0; i < count; i++) {
            CelebrityEntry entry = CelebrityEntry.newBuilder().setCelebrityId("c" + i).setName("C " + i).setSource(source)
                    .setMetric(10L * i).setText(i % 3 == 0 ? "wins award" : i % 3 == 1 ? "scandal" : "visits")
                    .setJobId(job).setCollectedAt(Instant.EPOCH).setAdapter("offline-fixture").build();
            entries.add(entry);
            if (i < enriched) {
                profiles.put(entry.getCelebrityId() + "/" + source, Enrichment.enrich(entry, Instant.EPOCH));
            }
        }
    }

    private QualityReport report() {
        return QualityReport.of(input(), entries, profiles::get);
    }

    @Test
    void passesACompleteRunWithItsDistributions() {
        // Given 100 entries from each of the four sources, all enriched
        SOURCES.forEach(source -> write(JOB, source, 100, 100));

        // When the run is checked
        QualityReport report = report();

        // Then it passes with 400 of 400 entries, none unenriched, and the weight and sentiment distributions
        assertThat(report.belowThreshold()).isFalse();
        assertThat(report.output().getVerdict()).isEqualTo(QualityReport.PASSED);
        assertThat(report.output().getEntries()).isEqualTo(400);
        assertThat(report.output().getExpectedEntries()).isEqualTo(400);
        assertThat(report.output().getUnenriched()).isZero();
        assertThat(report.output().getMissingSources()).isEmpty();
        assertThat(report.output().getWeightMin()).isZero();
        assertThat(report.output().getWeightMax()).isEqualTo(100);
        assertThat(report.output().getPositive() + report.output().getNeutral() + report.output().getNegative())
                .isEqualTo(400);
        assertThat(report.output().getPositive()).isEqualTo(4 * 34);
        assertThat(report.output().getNegative()).isEqualTo(4 * 33);
        assertThat(report.output().getWeightAverage()).matches("[0-9]+\\.[0-9]{2}");
        assertThat(report.output().getSummary()).startsWith("PASSED: 400 of 400 entries, 400 enriched");
    }

    @Test
    void reportsARunWithOneSourceMissingAsDegradedNamingTheSource() {
        // Given three sources' entries, all enriched, and news wrote none in this run (its entries are last week's)
        List.of("tmdb", "wikipedia", "social").forEach(source -> write(JOB, source, 100, 100));
        write("celebrity-weekly-0", "news", 100, 100);

        // When the run is checked
        QualityReport report = report();

        // Then it is within the thresholds but DEGRADED, with 300 entries and news named missing
        assertThat(report.belowThreshold()).isFalse();
        assertThat(report.output().getVerdict()).isEqualTo(QualityReport.DEGRADED);
        assertThat(report.output().getEntries()).isEqualTo(300);
        assertThat(report.output().getMissingSources()).containsExactly("news");
        assertThat(report.output().getEntriesBySource()).containsEntry("news", 0).containsEntry("tmdb", 100);
        assertThat(report.output().getSummary()).endsWith("no entries from news");
    }

    @Test
    void failsARunWithTwoSourcesMissing() {
        // Given only two sources' entries
        List.of("tmdb", "wikipedia").forEach(source -> write(JOB, source, 100, 100));

        // When the run is checked, then it is below the threshold (fewer than 300 entries)
        QualityReport report = report();
        assertThat(report.belowThreshold()).isTrue();
        assertThat(report.output().getVerdict()).isEqualTo(QualityReport.FAILED);
        assertThat(report.output().getSummary()).contains("200 of 400 entries").contains("at least 300 entries needed");
    }

    @Test
    void failsARunWithTenEntriesWithoutWeightOrSentimentAndPassesNineAsDegraded() {
        // Given every source complete, but 10 of tmdb's entries not enriched
        SOURCES.forEach(source -> write(JOB, source, 100, source.equals("tmdb") ? 90 : 100));

        // When the run is checked, then 10 unenriched breaks the seed's "fewer than 10"
        assertThat(report().belowThreshold()).isTrue();
        assertThat(report().output().getUnenriched()).isEqualTo(10);

        // And with one of them enriched after all, 9 is within it but not a pass
        CelebrityEntry late = entries.stream().filter(e -> e.getSource().equals("tmdb") && e.getCelebrityId().equals("c95"))
                .findFirst().orElseThrow();
        profiles.put("c95/tmdb", Enrichment.enrich(late, Instant.EPOCH));
        assertThat(report().belowThreshold()).isFalse();
        assertThat(report().output().getVerdict()).isEqualTo(QualityReport.DEGRADED);
    }

    @Test
    void countsAnEntryWhoseProfileIsFromAnOlderRawValueAsUnenriched() {
        // Given a complete run, where one entry's value changed after its profile was written
        SOURCES.forEach(source -> write(JOB, source, 100, 100));
        CelebrityEntry old = entries.remove(0);
        entries.add(CelebrityEntry.newBuilder(old).setMetric(old.getMetric() + 1).build());

        // When the run is checked, then that entry counts as not enriched: its profile is not of its current value
        assertThat(report().output().getUnenriched()).isEqualTo(1);
        assertThat(report().output().getEnriched()).isEqualTo(399);
    }
}
