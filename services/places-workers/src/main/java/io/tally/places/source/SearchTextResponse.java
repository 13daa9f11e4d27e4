package io.tally.places.source;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Places API (New) {@code places:searchText} response ({@code {"places":[{"id", "displayName":{"text"},
 * "formattedAddress", "rating", "userRatingCount", "priceLevel", "types"}], "nextPageToken"}}); the fixture is in the
 * same format, so both sources share this reader.
 */
public record SearchTextResponse(List<Place> places, String nextPageToken) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Parses a response body; a body that is not such a response is a non-retryable {@link PlacesException}. */
    public static SearchTextResponse parse(String body) {
        try {
            return of(JSON.readTree(body));
        } catch (RuntimeException e) {
            throw new PlacesException(PlacesException.REJECTED, "not a searchText response: " + e.getMessage(), false, e);
        }
    }

    /** Reads a parsed response. An empty answer ({@code {}}) has no places. */
    public static SearchTextResponse of(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new PlacesException(PlacesException.REJECTED, "a searchText response is a JSON object", false, null);
        }
        List<Place> places = new ArrayList<>();
        for (JsonNode place : root.path("places")) {
            List<String> types = new ArrayList<>();
            place.path("types").forEach(type -> types.add(type.asString()));
            places.add(new Place(text(place.get("id")), text(place.path("displayName").get("text")),
                    text(place.get("formattedAddress")), place.hasNonNull("rating") ? place.get("rating").asString() : null,
                    place.hasNonNull("userRatingCount") ? place.get("userRatingCount").asLong() : null,
                    text(place.get("priceLevel")), types, JSON.writeValueAsString(place)));
        }
        return new SearchTextResponse(places, text(root.get("nextPageToken")));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }
}
