package io.tally.tracksearch;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code search-track} task's searches, bound from {@code tally.search.*}; its consumers and retries
 * are the worker SDK's ({@code tally.worker.*}).
 *
 * @param adapter which search adapter answers: {@code offline} (deterministic local catalog, no account needed) or
 *                {@code youtube} (YouTube Data API v3 {@code search.list})
 * @param offline settings of the offline catalog
 * @param youtube settings of the YouTube adapter; only read when {@code adapter=youtube}
 * @param sendTimeout how long a search waits for the broker to acknowledge the track's row in the tracks table
 */
@Validated
@ConfigurationProperties("tally.search")
public record SearchProperties(
        @NotNull @DefaultValue("offline") Adapter adapter,
        @Valid @DefaultValue Offline offline,
        @Valid @DefaultValue YouTube youtube,
        @NotNull @DefaultValue("PT30S") Duration sendTimeout) {

    /** The search backends. */
    public enum Adapter {
        OFFLINE, YOUTUBE;

        /** The tag value used in metrics and in {@code TrackResolved.source}. */
        public String tag() {
            return this == OFFLINE ? "offline-catalog" : "youtube";
        }
    }

    /**
     * The offline catalog: every track is found with a video id derived from its track key, except these titles.
     *
     * @param notFound title substrings (case-insensitive) that resolve to NOT_FOUND
     * @param failing  title substrings (case-insensitive) whose searches fail with a retryable error
     * @param failAttempts how many delivery attempts of a failing title fail: attempts {@code 1..failAttempts} fail,
     *                     later ones (a redriven dead letter keeps counting attempts) succeed; {@code 0} (the default)
     *                     means every attempt fails
     */
    public record Offline(
            @NotNull @DefaultValue("") List<String> notFound,
            @NotNull @DefaultValue("") List<String> failing,
            @Min(0) @DefaultValue("0") int failAttempts) {
    }

    /**
     * YouTube Data API v3 adapter.
     *
     * @param baseUrl           API base URL, without a trailing slash; tests point it at a local fake
     * @param apiKey            API key sent as the {@code key} query parameter (env {@code TALLY_SEARCH_YOUTUBE_API_KEY});
     *                          never logged; required when {@code adapter=youtube}
     * @param requestsPerSecond token-bucket rate limit of this worker instance
     * @param baseJitter        jitter unit: each call first sleeps a random time in [0, baseJitter × group members)
     * @param groupSizeRefresh  how long the member count of the {@code search-track} task's consumer group is cached
     * @param connectTimeout    HTTP connect timeout
     * @param readTimeout       HTTP read timeout
     * @param quota             the daily search budget the adapter keeps to
     */
    public record YouTube(
            @NotBlank @DefaultValue("https://www.googleapis.com/youtube/v3") String baseUrl,
            @DefaultValue("") String apiKey,
            @Min(1) @DefaultValue("5") int requestsPerSecond,
            @NotNull @DefaultValue("PT0.1S") Duration baseJitter,
            @NotNull @DefaultValue("PT30S") Duration groupSizeRefresh,
            @NotNull @DefaultValue("PT5S") Duration connectTimeout,
            @NotNull @DefaultValue("PT10S") Duration readTimeout,
            @Valid @DefaultValue Quota quota) {

        @ConstructorBinding
        public YouTube {
            quota = quota != null ? quota : new Quota(Quota.DEFAULT_DAILY_UNITS, 1, null);
        }

        /** The settings before the quota budget existed: the default budget. */
        public YouTube(String baseUrl, String apiKey, int requestsPerSecond, Duration baseJitter, Duration groupSizeRefresh,
                       Duration connectTimeout, Duration readTimeout) {
            this(baseUrl, apiKey, requestsPerSecond, baseJitter, groupSizeRefresh, connectTimeout, readTimeout, null);
        }

        /** Hides the key, so the record can be logged. */
        @Override
        public String toString() {
            return "YouTube[baseUrl=%s, apiKey=%s, requestsPerSecond=%d, baseJitter=%s, quota=%s]"
                    .formatted(baseUrl, apiKey.isEmpty() ? "<unset>" : "<hidden>", requestsPerSecond, baseJitter, quota);
        }
    }

    /**
     * The daily search budget of this worker instance. Google's current model gives {@code search.list} a bucket of its
     * own, 100 calls a day at 1 unit each (the defaults); under the older model a search cost 100 of the 10,000
     * general units ({@code search-cost: 100}, {@code daily-units: 10000}). A search that does not fit is not sent:
     * the item fails with the reason (see ADR 0013).
     *
     * @param dailyUnits units per day for searches
     * @param searchCost units one {@code search.list} call costs
     * @param resetZone  the zone whose midnight starts a new quota day (Google: midnight Pacific Time)
     */
    public record Quota(
            @Min(0) @DefaultValue("100") long dailyUnits,
            @Min(1) @DefaultValue("1") long searchCost,
            ZoneId resetZone) {

        static final long DEFAULT_DAILY_UNITS = 100;

        public Quota {
            resetZone = resetZone != null ? resetZone : ZoneId.of("America/Los_Angeles");
        }
    }
}
