package io.tally.celebrity.source;

import java.util.List;

/**
 * One of seed 001's four sources (TMDB, Wikipedia, a news API, a social source) behind one interface, so a source
 * task does not know whether it talks to the real API or to the bundled fixture. An implementation throws
 * {@link SourceUnavailableException} for what a later attempt may fix (5xx, 429, I/O) and
 * {@link SourceRejectedException} for what it cannot (401, 403, 400); a celebrity the source does not know (404) is
 * left out of the answer.
 */
public interface CelebritySource {

    /** The source: {@code tmdb}, {@code wikipedia}, {@code news} or {@code social}; the entity key's second part. */
    String source();

    /** Which adapter answers: the API's name, or {@link OfflineSource#ADAPTER}. */
    String adapter();

    /** One entry per celebrity the source knows, in the order given. */
    List<SourceEntry> collect(List<Celebrity> celebrities);
}
