package io.tally.celebrity.source;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;

/**
 * The offline default of every source: answers from the roster's bundled sample data (made-up numbers and texts),
 * deterministic, with no account and no network. Its entries say {@code adapter: offline-fixture}, and the source
 * task's output and log say so too.
 */
public final class OfflineSource implements CelebritySource {

    /** The adapter name of fixture answers. */
    public static final String ADAPTER = "offline-fixture";

    private final String source;
    private final Function<Celebrity, SourceEntry> sample;

    private OfflineSource(String source, Function<Celebrity, SourceEntry> sample) {
        this.source = source;
        this.sample = sample;
    }

    /** TMDB: the sample popularity (in thousandths, as the real adapter) and biography. */
    public static OfflineSource tmdb() {
        return new OfflineSource("tmdb", c -> new SourceEntry(c, TmdbSource.thousandths(new BigDecimal(c.tmdb().popularity())),
                c.tmdb().biography()));
    }

    /** Wikipedia: the sample page views and extract. */
    public static OfflineSource wikipedia() {
        return new OfflineSource("wikipedia", c -> new SourceEntry(c, c.wikipedia().pageviews(), c.wikipedia().extract()));
    }

    /** News: the sample article count and headlines. */
    public static OfflineSource news() {
        return new OfflineSource("news", c -> new SourceEntry(c, c.news().totalResults(),
                String.join("\n", c.news().headlines())));
    }

    /** Social: the sample mentions and posts. */
    public static OfflineSource social() {
        return new OfflineSource("social", c -> new SourceEntry(c, c.social().mentions(), String.join("\n", c.social().posts())));
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public String adapter() {
        return ADAPTER;
    }

    @Override
    public List<SourceEntry> collect(List<Celebrity> celebrities) {
        return celebrities.stream().map(sample).toList();
    }
}
