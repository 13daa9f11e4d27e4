package io.tally.celebrity.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.tally.celebrity.CelebrityProperties;
import io.tally.celebrity.view.TopicTable;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.Sentiment;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The seed's read API over the entity table (its "Phase 5"): the enriched celebrity entries of the profiles view,
 * heaviest first, filtered by source and sentiment, paged. The view is eventually consistent: a profile written a
 * moment ago may not be listed yet. The constraints on the parameters are Spring MVC's own method validation (no
 * {@code @Validated}, which would turn them into 500s), answered 400 problem+json.
 */
@RestController
@RequestMapping("/api/celebrities")
public class CelebritiesController {

    /** Heaviest first; ties by celebrity id and source, so that pages are stable. */
    static final Comparator<CelebrityProfile> ORDER = Comparator.comparingInt(CelebrityProfile::getWeight).reversed()
            .thenComparing(CelebrityProfile::getCelebrityId).thenComparing(CelebrityProfile::getSource);

    private final TopicTable<CelebrityProfile> profiles;
    private final CelebrityProperties properties;

    public CelebritiesController(TopicTable<CelebrityProfile> profiles, CelebrityProperties properties) {
        this.profiles = profiles;
        this.properties = properties;
    }

    @Operation(summary = "Enriched celebrity entries (one per celebrity and source), heaviest first, optionally "
            + "filtered by source and sentiment",
            description = "Answers 400 (problem+json) for a negative page, a size below 1 or above "
                    + "tally.celebrities.api.max-page-size, or an unknown sentiment.")
    @GetMapping
    public CelebrityPage list(
            @Parameter(description = "only entries from this source: tmdb, wikipedia, news or social")
            @RequestParam(required = false) @Pattern(regexp = "[a-z]{1,32}") String source,
            @Parameter(description = "only entries of this sentiment: positive, neutral or negative")
            @RequestParam(required = false) String sentiment,
            @Parameter(description = "page number from 0") @RequestParam(defaultValue = "0") @Min(0) int page,
            @Parameter(description = "entries per page") @RequestParam(defaultValue = "20") @Min(1) int size) {
        if (size > properties.api().maxPageSize()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "size: must be less than or equal to " + properties.api().maxPageSize());
        }
        Sentiment wanted = sentiment(sentiment);
        List<CelebrityProfile> matching = profiles.values().stream()
                .filter(profile -> source == null || source.equals(profile.getSource()))
                .filter(profile -> wanted == null || wanted == profile.getSentiment())
                .sorted(ORDER)
                .toList();
        List<CelebrityResponse> items = matching.stream().skip((long) page * size).limit(size)
                .map(CelebrityResponse::of).toList();
        return new CelebrityPage(items, page, size, matching.size());
    }

    private static Sentiment sentiment(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Sentiment.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "sentiment: must be one of positive, neutral, negative, not '" + text + "'");
        }
    }

    /** One page of entries and the number of all that match. */
    public record CelebrityPage(List<CelebrityResponse> items, int page, int size, long total) {
    }

    /** One enriched entry as the API shows it. */
    public record CelebrityResponse(String celebrityId, String name, String source, long metric, int weight,
                                    String sentiment, int sentimentScore, String jobId, Instant enrichedAt) {

        static CelebrityResponse of(CelebrityProfile profile) {
            return new CelebrityResponse(profile.getCelebrityId(), profile.getName(), profile.getSource(),
                    profile.getMetric(), profile.getWeight(), profile.getSentiment().name().toLowerCase(Locale.ROOT),
                    profile.getSentimentScore(), profile.getJobId(), profile.getEnrichedAt());
        }
    }
}
