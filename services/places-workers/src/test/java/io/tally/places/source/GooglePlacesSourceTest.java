package io.tally.places.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tally.places.PlacesProperties;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.client.RestClient;

/**
 * The Google Places adapter against WireMock speaking Text Search (New): the request it sends (key, field mask,
 * text query, page size), a page followed by its next page, and which HTTP failures it retries.
 */
class GooglePlacesSourceTest {

    private static final String SEARCH = "/v1/places:searchText";

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().build();

    private static GooglePlacesSource source() {
        return new GooglePlacesSource(RestClient.builder(), new PlacesProperties.Google(
                URI.create(api.baseUrl()), "test-key", "en", Duration.ofSeconds(2), Duration.ofSeconds(5), 20));
    }

    private static String place(String id, String name) {
        return """
                {"id": "%s", "displayName": {"text": "%s", "languageCode": "fr"},
                 "formattedAddress": "1 Rue X, 75001 Paris", "rating": 4.5, "userRatingCount": 321,
                 "priceLevel": "PRICE_LEVEL_MODERATE", "types": ["restaurant", "food"]}""".formatted(id, name);
    }

    @Test
    void sendsTheTextSearchWithKeyAndFieldMaskAndReadsThePlaces() {
        // Given the API answering one page of two places
        api.stubFor(post(SEARCH).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"places\": [" + place("p1", "Chez A") + ", " + place("p2", "Chez B") + "]}")));

        // When two restaurants of Paris are asked for
        List<Place> places = source().restaurants("Paris", 2);

        // Then the request is a Text Search with the key, the field mask and the query
        api.verify(postRequestedFor(urlEqualTo(SEARCH))
                .withHeader("X-Goog-Api-Key", equalTo("test-key"))
                .withHeader("X-Goog-FieldMask", equalTo(GooglePlacesSource.FIELD_MASK))
                .withRequestBody(equalToJson("{\"textQuery\": \"restaurants in Paris\", \"pageSize\": 2}", true, true)));
        // And the places are read field by field
        assertThat(places).hasSize(2);
        assertThat(places.get(0)).satisfies(place -> {
            assertThat(place.id()).isEqualTo("p1");
            assertThat(place.displayName()).isEqualTo("Chez A");
            assertThat(place.formattedAddress()).isEqualTo("1 Rue X, 75001 Paris");
            assertThat(place.rating()).isEqualTo("4.5");
            assertThat(place.userRatingCount()).isEqualTo(321L);
            assertThat(place.priceLevel()).isEqualTo("PRICE_LEVEL_MODERATE");
            assertThat(place.types()).containsExactly("restaurant", "food");
        });
    }

    @Test
    void followsTheNextPageTokenUntilTheCountIsReached() {
        // Given a first page of 2 with a next page token, and a second page
        api.stubFor(post(SEARCH).atPriority(5)
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"places\": [" + place("p1", "A") + ", " + place("p2", "B") + "], \"nextPageToken\": \"page-2\"}")));
        api.stubFor(post(SEARCH).atPriority(1).withRequestBody(matchingJsonPath("$.pageToken", equalTo("page-2")))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"places\": [" + place("p3", "C") + ", " + place("p4", "D") + "], \"nextPageToken\": \"page-3\"}")));
        GooglePlacesSource source = new GooglePlacesSource(RestClient.builder(), new PlacesProperties.Google(
                URI.create(api.baseUrl()), "test-key", "en", Duration.ofSeconds(2), Duration.ofSeconds(5), 2));

        // When three are asked for with pages of two
        List<Place> places = source.restaurants("Paris", 3);

        // Then two pages were read and the third place ends the list
        assertThat(places).extracting(Place::id).containsExactly("p1", "p2", "p3");
        api.verify(2, postRequestedFor(urlEqualTo(SEARCH)));
        api.verify(postRequestedFor(urlEqualTo(SEARCH)).withRequestBody(matchingJsonPath("$.pageSize", equalTo("1"))));
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 503})
    void aRateLimitOrServerErrorIsRetryable(int status) {
        // Given the API answering the status
        api.stubFor(post(SEARCH).willReturn(aResponse().withStatus(status).withBody("{\"error\": {\"status\": \"X\"}}")));

        // When restaurants are asked for, then the failure is retryable and says the status
        assertThatThrownBy(() -> source().restaurants("Paris", 5)).isInstanceOfSatisfying(PlacesException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.code()).isEqualTo(PlacesException.UNAVAILABLE);
            assertThat(e.getMessage()).contains("HTTP " + status);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403})
    void aBadRequestOrRefusedKeyIsNotRetried(int status) {
        // Given the API refusing the request
        api.stubFor(post(SEARCH).willReturn(aResponse().withStatus(status)
                .withBody("{\"error\": {\"message\": \"API key not valid\"}}")));

        // When restaurants are asked for, then the failure is not retryable and carries the API's message
        assertThatThrownBy(() -> source().restaurants("Paris", 5)).isInstanceOfSatisfying(PlacesException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.code()).isEqualTo(PlacesException.REJECTED);
            assertThat(e.getMessage()).contains("HTTP " + status).contains("API key not valid");
        });
    }

    @Test
    void anAnswerWithoutPlacesIsAnEmptyList() {
        // Given the API answering {} (no match)
        api.stubFor(post(SEARCH).willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{}")));

        // When restaurants are asked for, then there are none
        assertThat(source().restaurants("Nowhere", 5)).isEmpty();
    }
}
