package io.tally.notification;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * An item that failed, as listed in a failure notification.
 *
 * @param itemId  the item id
 * @param error   the worker's error text, or null
 * @param attempt the attempt that failed
 */
record FailedItem(String itemId, String error, int attempt) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<FailedItem>> LIST = new TypeReference<>() {
    };

    /** Store serde of a job's failed items: JSON, readable when debugging a changelog. */
    static final Serde<List<FailedItem>> LIST_SERDE = Serdes.serdeFrom(
            (topic, items) -> items == null ? null : JSON.writeValueAsBytes(items),
            (topic, bytes) -> bytes == null ? null : new ArrayList<>(JSON.readValue(bytes, LIST)));
}
