package io.tally.celebrity.source;

import java.util.List;

/**
 * One celebrity of the fixed roster (resources {@code celebrities/roster.json}), with the ids each source knows it by
 * and the sample data the offline sources answer with.
 *
 * @param id             stable id, such as {@code taylor-swift}: the entity key's first part
 * @param name           the name as people write it, the news and social query
 * @param tmdbId         TMDB person id ({@code /3/person/{id}})
 * @param wikipediaTitle English Wikipedia page title ({@code page/summary/{title}})
 * @param tmdb           offline sample: TMDB popularity (decimal text) and biography
 * @param wikipedia      offline sample: page views and summary extract
 * @param news           offline sample: articles found and headlines
 * @param social         offline sample: mentions and posts
 */
public record Celebrity(String id, String name, long tmdbId, String wikipediaTitle, Tmdb tmdb, Wikipedia wikipedia,
                        News news, Social social) {

    /** TMDB sample. */
    public record Tmdb(String popularity, String biography) {
    }

    /** Wikipedia sample. */
    public record Wikipedia(long pageviews, String extract) {
    }

    /** News sample. */
    public record News(long totalResults, List<String> headlines) {
    }

    /** Social sample. */
    public record Social(long mentions, List<String> posts) {
    }
}
