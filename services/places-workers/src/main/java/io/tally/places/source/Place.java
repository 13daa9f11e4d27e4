package io.tally.places.source;

import java.util.List;

/**
 * One place as the Places API (New) describes it, the fields the raw table keeps. Any field but {@code rawJson} may
 * be null: the raw table takes what the source gave, and the data tests judge it.
 *
 * @param id              the place id
 * @param displayName     {@code displayName.text}
 * @param formattedAddress the address
 * @param rating          the average rating, 1.0 to 5.0, as the API's text (kept exact)
 * @param userRatingCount how many ratings
 * @param priceLevel      {@code PRICE_LEVEL_*}
 * @param types           the place types, such as {@code restaurant}
 * @param rawJson         the place's JSON as received
 */
public record Place(String id, String displayName, String formattedAddress, String rating, Long userRatingCount,
                    String priceLevel, List<String> types, String rawJson) {
}
