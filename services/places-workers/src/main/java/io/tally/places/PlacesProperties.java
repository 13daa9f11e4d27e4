package io.tally.places;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The places workers' settings, bound from {@code tally.places.*}: where places come from, the warehouse file, and
 * the models and tests folder. Retries are the worker SDK's ({@code tally.worker.*}) and the pipeline's.
 *
 * @param source    {@code fixture} (offline, the bundled cities) or {@code google} (Places API (New) Text Search)
 * @param warehouse the DuckDB database file; created when missing (places-workers.yml: under {@code java.io.tmpdir})
 * @param models    Spring resource location of the models folder: {@code staging/*.sql}, {@code marts/*.sql} and
 *                  {@code tests.yml} under it
 * @param fixture   settings of the offline source
 * @param google    settings of the Google Places source
 */
@Validated
@ConfigurationProperties("tally.places")
public record PlacesProperties(
        @NotNull @DefaultValue("fixture") SourceKind source,
        @NotNull Path warehouse,
        @NotBlank @DefaultValue("classpath:models") String models,
        @Valid @NotNull @DefaultValue Fixture fixture,
        @Valid @NotNull @DefaultValue Google google) {

    /** The available places sources. */
    public enum SourceKind { FIXTURE, GOOGLE }

    /**
     * @param location Spring resource location of the fixture: city name to a Text Search response
     */
    public record Fixture(@NotBlank @DefaultValue("classpath:fixtures/places.json") String location) {
    }

    /**
     * @param baseUrl        the API root; the search is {@code POST {baseUrl}/v1/places:searchText}
     * @param apiKey         the {@code X-Goog-Api-Key}; required when {@code source=google}
     * @param languageCode   the results' language
     * @param connectTimeout TCP connect timeout
     * @param readTimeout    response read timeout
     * @param maxPageSize    places per page (the API's maximum is 20)
     */
    public record Google(
            @NotNull @DefaultValue("https://places.googleapis.com") URI baseUrl,
            String apiKey,
            @NotBlank @DefaultValue("en") String languageCode,
            @NotNull @DefaultValue("5s") Duration connectTimeout,
            @NotNull @DefaultValue("20s") Duration readTimeout,
            @Min(1) @DefaultValue("20") int maxPageSize) {
    }
}
