package io.tally.celebrity.quality;

import io.tally.celebrity.enrich.Enrichment;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityInput;
import io.tally.tasks.celebrity.CheckCelebrityQualityOutput;
import io.tally.tasks.celebrity.Sentiment;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The seed's data-quality validation of one run, as a pure computation: of the entries the run wrote (their
 * {@code jobId}), how many have a profile from their current raw value (enriched) and how many do not (the seed's
 * failure count, "attribute_not_exists(weight) OR attribute_not_exists(sentiment)"); the weight distribution (min, max,
 * average) and the sentiment counts of the enriched ones; entries per source, and the sources that wrote none.
 *
 * <p>Thresholds (the seed: about 400 entries, fewer than 10 without weight or sentiment): a complete run writes
 * {@code limit × sources} entries (400); it <b>fails</b> below {@code limit × (sources − maxMissingSources)} (300: more
 * than one source's worth missing) or above {@code maxUnenriched} unenriched ones (9); it is <b>DEGRADED</b> when it
 * is within them but not complete (a source missing, which the job's COMPLETED_WITH_FAILURES tells too, fewer entries
 * than expected, or some unenriched), and <b>PASSED</b> when complete.
 */
public record QualityReport(CheckCelebrityQualityOutput output, boolean belowThreshold) {

    /** Verdict of a complete run. */
    public static final String PASSED = "PASSED";
    /** Verdict of a run within the thresholds that is not complete. */
    public static final String DEGRADED = "DEGRADED";
    /** Verdict of a run beyond the thresholds (the task fails with it). */
    public static final String FAILED = "FAILED";

    /**
     * @param input    the run and thresholds
     * @param entries  every entry of the entity table
     * @param profiles the profile of an entry key, or null
     */
    public static QualityReport of(CheckCelebrityQualityInput input, Collection<CelebrityEntry> entries,
                                   Function<String, CelebrityProfile> profiles) {
        Map<String, Integer> bySource = new TreeMap<>();
        input.getSources().forEach(source -> bySource.put(source, 0));
        int total = 0;
        int enriched = 0;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        long sum = 0;
        Map<Sentiment, Integer> sentiments = new TreeMap<>();
        for (CelebrityEntry entry : entries) {
            if (!input.getJobId().equals(entry.getJobId())) {
                continue;
            }
            total++;
            bySource.merge(entry.getSource(), 1, Integer::sum);
            CelebrityProfile profile = profiles.apply(entry.getCelebrityId() + "/" + entry.getSource());
            if (profile == null || !profile.getEntryHash().equals(Enrichment.hash(entry))) {
                continue;
            }
            enriched++;
            min = Math.min(min, profile.getWeight());
            max = Math.max(max, profile.getWeight());
            sum += profile.getWeight();
            sentiments.merge(profile.getSentiment(), 1, Integer::sum);
        }
        int unenriched = total - enriched;
        List<String> missing = new ArrayList<>();
        bySource.forEach((source, count) -> {
            if (count == 0) {
                missing.add(source);
            }
        });
        int expected = input.getLimit() * input.getSources().size();
        int minimum = input.getLimit() * Math.max(0, input.getSources().size() - input.getMaxMissingSources());
        boolean below = total < minimum || unenriched > input.getMaxUnenriched();
        String verdict = below ? FAILED : total >= expected && unenriched == 0 && missing.isEmpty() ? PASSED : DEGRADED;
        String average = enriched == 0 ? null
                : BigDecimal.valueOf(sum).divide(BigDecimal.valueOf(enriched), 2, RoundingMode.HALF_UP).toPlainString();
        int positive = sentiments.getOrDefault(Sentiment.POSITIVE, 0);
        int neutral = sentiments.getOrDefault(Sentiment.NEUTRAL, 0);
        int negative = sentiments.getOrDefault(Sentiment.NEGATIVE, 0);
        String summary = "%s: %d of %d entries, %d enriched, %d without weight/sentiment (at most %d), at least %d entries needed; weight %s; sentiment %d positive, %d neutral, %d negative%s"
                .formatted(verdict, total, expected, enriched, unenriched, input.getMaxUnenriched(), minimum,
                        enriched == 0 ? "none" : "min " + min + ", max " + max + ", avg " + average,
                        positive, neutral, negative,
                        missing.isEmpty() ? "" : "; no entries from " + String.join(", ", missing));
        CheckCelebrityQualityOutput output = CheckCelebrityQualityOutput.newBuilder()
                .setVerdict(verdict)
                .setSummary(summary)
                .setEntries(total)
                .setExpectedEntries(expected)
                .setEnriched(enriched)
                .setUnenriched(unenriched)
                .setMissingSources(missing)
                .setEntriesBySource(new TreeMap<>(bySource))
                .setWeightMin(enriched == 0 ? null : min)
                .setWeightMax(enriched == 0 ? null : max)
                .setWeightAverage(average)
                .setPositive(positive)
                .setNeutral(neutral)
                .setNegative(negative)
                .build();
        return new QualityReport(output, below);
    }
}
