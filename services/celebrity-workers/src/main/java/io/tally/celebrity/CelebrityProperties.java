package io.tally.celebrity;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the celebrity workers, bound from {@code tally.celebrities.*}; every key is described in
 * services/celebrity-workers/README.md. Retries, the maximum event age and the dead-letter retention of the tasks are
 * the worker SDK's ({@code tally.worker.*}).
 *
 * @param roster        Spring resource location of the roster JSON (the seed's 100 celebrities)
 * @param tmdb          the TMDB source
 * @param wikipedia     the Wikipedia source
 * @param news          the news source
 * @param social        the social source
 * @param postProcessor the batch listener that enriches entries into profiles
 * @param quality       the data-quality check
 * @param api           the read endpoint
 */
@Validated
@ConfigurationProperties("tally.celebrities")
public record CelebrityProperties(
        @NotBlank @DefaultValue("classpath:celebrities/roster.json") String roster,
        @Valid @NotNull @DefaultValue Http tmdb,
        @Valid @NotNull @DefaultValue Http wikipedia,
        @Valid @NotNull @DefaultValue Http news,
        @Valid @NotNull @DefaultValue Http social,
        @Valid @NotNull @DefaultValue PostProcessor postProcessor,
        @Valid @NotNull @DefaultValue Quality quality,
        @Valid @NotNull @DefaultValue Api api) {

    /** Which adapter a source uses. */
    public enum Adapter { OFFLINE, HTTP }

    /**
     * One source's adapter and HTTP settings.
     *
     * @param adapter        {@code offline} (the roster's bundled sample, no network) or {@code http} (the real API)
     * @param baseUrl        the API's root; required with {@code http}
     * @param apiKey         the API key or token (TMDB and news require one; social sends it as a bearer token if set)
     * @param userAgent      the User-Agent header (Wikimedia asks for one with a contact)
     * @param connectTimeout TCP connect timeout
     * @param readTimeout    response read timeout
     * @param pageSize       articles or posts asked for per celebrity (news, social)
     */
    public record Http(
            @NotNull @DefaultValue("offline") Adapter adapter,
            URI baseUrl,
            String apiKey,
            @NotBlank @DefaultValue("tally-celebrity-workers/0.1 (https://github.com/tally)") String userAgent,
            @NotNull @DefaultValue("5s") Duration connectTimeout,
            @NotNull @DefaultValue("20s") Duration readTimeout,
            @Min(1) @Max(100) @DefaultValue("10") int pageSize) {
    }

    /**
     * @param groupId        consumer group of the batch listener on {@code tally.celebrities.entries}; the quality check
     *                       compares its committed offsets with the topic's end offsets
     * @param maxPollRecords the largest batch (the seed's 100)
     */
    public record PostProcessor(
            @NotBlank @DefaultValue("tally-celebrity-post-processor") String groupId,
            @Min(1) @Max(10_000) @DefaultValue("100") int maxPollRecords) {
    }

    /**
     * @param catchUpWait how long one attempt of the check waits for post-processing to catch up before it fails as
     *                    retryable {@code post-processing-behind} (the pipeline's retry policy then tries again)
     */
    public record Quality(@NotNull @DefaultValue("20s") Duration catchUpWait) {
    }

    /** @param maxPageSize the largest {@code size} of {@code GET /api/celebrities} */
    public record Api(@Min(1) @Max(1000) @DefaultValue("100") int maxPageSize) {
    }

    /** Refuses a real adapter without a base URL or (for {@code what}) a key, naming the key to set. */
    public static void requireKey(Http settings, String key, String what) {
        if (settings.apiKey() == null || settings.apiKey().isBlank()) {
            throw new IllegalArgumentException(key + " is required for the " + what + " adapter");
        }
    }
}
