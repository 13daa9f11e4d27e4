package io.tally.places.source;

import java.util.List;

/**
 * Where the {@code collect-places} task finds restaurants: the offline fixture ({@link FixturePlacesSource}) or the
 * Places API (New) Text Search ({@link GooglePlacesSource}).
 */
public interface PlacesSource {

    /** The source's name in the task's output and logs: {@code fixture} or {@code google}. */
    String name();

    /**
     * Up to {@code count} restaurants of {@code city}, in the source's order.
     *
     * @throws PlacesException when the source failed; {@link PlacesException#retryable()} says whether to try again
     */
    List<Place> restaurants(String city, int count);
}
