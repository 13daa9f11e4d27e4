package io.tally.celebrity.enrich;

import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.Sentiment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The seed's post-processing of one entry: a weight from the source's popularity figure and a sentiment from its text,
 * both deterministic. Weight is the metric on the source's log scale, {@code round(100 × log10(1 + metric) /
 * log10(1 + ceiling))} capped to 0–100, where the ceiling is a figure that only the most-followed people reach on that
 * source (TMDB popularity 200, 5 million page views a month, 1,000 articles, 1 million mentions), so that the four
 * sources' weights are comparable. Sentiment is a placeholder: positive minus negative words from two short word lists,
 * not a language model; a real scorer would sit behind the same method. An entry that cannot be enriched (unknown
 * source, negative metric, no id or name) throws {@link BadEntryException} with the reason.
 */
public final class Enrichment {

    /** Per source, the metric that weighs 100. */
    static final Map<String, Long> CEILINGS = Map.of(
            "tmdb", 200_000L,
            "wikipedia", 5_000_000L,
            "news", 1_000L,
            "social", 1_000_000L);

    static final Set<String> POSITIVE = Set.of("award", "awards", "wins", "won", "praised", "celebrated", "triumphant",
            "acclaimed", "brilliant", "beloved", "record-breaking", "success", "hit", "best", "great", "love", "loved",
            "honoured", "honored", "inspiring");
    static final Set<String> NEGATIVE = Set.of("criticised", "criticized", "lawsuit", "scandal", "cancelled", "canceled",
            "feud", "backlash", "controversy", "slammed", "arrested", "flop", "worst", "fails", "failed", "accused",
            "sued", "outrage", "boycott");

    private Enrichment() {
    }

    /** The profile of {@code entry}, enriched at {@code now}. */
    public static CelebrityProfile enrich(CelebrityEntry entry, Instant now) {
        check(entry);
        int score = sentimentScore(entry.getText());
        return CelebrityProfile.newBuilder()
                .setCelebrityId(entry.getCelebrityId())
                .setName(entry.getName())
                .setSource(entry.getSource())
                .setMetric(entry.getMetric())
                .setWeight(weight(entry.getSource(), entry.getMetric()))
                .setSentiment(score > 0 ? Sentiment.POSITIVE : score < 0 ? Sentiment.NEGATIVE : Sentiment.NEUTRAL)
                .setSentimentScore(score)
                .setEntryHash(hash(entry))
                .setJobId(entry.getJobId())
                .setEnrichedAt(now)
                .build();
    }

    /** The weight 0–100 of {@code metric} on {@code source}'s scale. */
    public static int weight(String source, long metric) {
        Long ceiling = CEILINGS.get(source);
        if (ceiling == null) {
            throw new BadEntryException("unknown source '" + source + "' (known: " + CEILINGS.keySet() + ")");
        }
        double scaled = 100 * Math.log10(1 + (double) metric) / Math.log10(1 + (double) ceiling);
        return (int) Math.max(0, Math.min(100, Math.round(scaled)));
    }

    /** Positive words minus negative words in {@code text} (lower-cased words of letters and hyphens). */
    public static int sentimentScore(String text) {
        int score = 0;
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}-]+")) {
            if (POSITIVE.contains(word)) {
                score++;
            } else if (NEGATIVE.contains(word)) {
                score--;
            }
        }
        return score;
    }

    /**
     * SHA-256 of the entry's raw value: id, name, source, metric and text, not the job or the time, so the same answer
     * collected again (a redelivered task, next week's unchanged fixture) is recognised as enriched already.
     */
    public static String hash(CelebrityEntry entry) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Object part : new Object[] {entry.getCelebrityId(), entry.getName(), entry.getSource(), entry.getMetric(),
                    entry.getText()}) {
                digest.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static void check(CelebrityEntry entry) {
        if (entry.getCelebrityId() == null || entry.getCelebrityId().isBlank()) {
            throw new BadEntryException("entry has no celebrityId");
        }
        if (entry.getName() == null || entry.getName().isBlank()) {
            throw new BadEntryException("entry " + entry.getCelebrityId() + " has no name");
        }
        if (entry.getMetric() < 0) {
            throw new BadEntryException("entry " + entry.getCelebrityId() + "/" + entry.getSource() + " has a negative metric "
                    + entry.getMetric());
        }
        weight(entry.getSource(), entry.getMetric());
    }
}
