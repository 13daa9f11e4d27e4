package io.tally.api.view;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Builds the jobs API's read-only topology: two global tables, so every API instance holds the whole job view and every
 * used idempotency key (docs/adr/0007-job-state-through-a-materialized-view.md). A plain function: Spring only wires it.
 * Known gap: a global store is restored from the topic itself, so its values keep the registry framing and every read
 * deserializes through the (caching) Avro serde.
 */
public final class JobViewTopology {

    /** Job id → latest {@code JobStatus}, from {@link Topics#JOB_STATUS}; tombstones delete. */
    public static final String JOBS_STORE = "api-job-view";
    /** Idempotency key → {@code IdempotencyKeyUsed}, from {@link Topics#API_IDEMPOTENCY}. */
    public static final String IDEMPOTENCY_STORE = "api-idempotency-keys";
    public static final String JOBS_SOURCE = "api-job-status-source";
    public static final String IDEMPOTENCY_SOURCE = "api-idempotency-source";

    private JobViewTopology() {
    }

    /** A new topology with both views in it. */
    public static Topology build(AvroSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes);
        return builder.build();
    }

    /** Adds both global tables to {@code builder}. */
    public static StreamsBuilder addTo(StreamsBuilder builder, AvroSerdes serdes) {
        globalTable(builder, Topics.JOB_STATUS, JOBS_SOURCE, JOBS_STORE, serdes);
        globalTable(builder, Topics.API_IDEMPOTENCY, IDEMPOTENCY_SOURCE, IDEMPOTENCY_STORE, serdes);
        return builder;
    }

    private static <V> void globalTable(StreamsBuilder builder, TopicSpec<V> topic, String sourceName, String storeName,
            AvroSerdes serdes) {
        builder.globalTable(topic.name(),
                Consumed.with(Serdes.String(), serdes.valueSerde(topic)).withName(sourceName),
                Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(storeName)
                        .withKeySerde(Serdes.String()).withValueSerde(serdes.valueSerde(topic)));
    }
}
