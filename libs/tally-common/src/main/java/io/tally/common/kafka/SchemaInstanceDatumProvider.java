package io.tally.common.kafka;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Apicurio's default datum provider, with readers and writers cached per schema instance. The default keys its
 * caches by the schema's parsing fingerprint, which it recomputes from the schema text on every record: that was
 * about 8% of the job tracker's CPU in the benchmark (docs/benchmarks.md). Schemas come from the serde's own id
 * cache, so one instance stands for one schema and the lookup is a hash probe.
 * Known gap: the caches are bounded by a simple clear-when-full rule, not an LRU.
 */
public class SchemaInstanceDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    /** More distinct schema instances than this means they are not being reused; start over rather than grow. */
    static final int MAX_CACHED = 1_000;

    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> genericWriters = new ConcurrentHashMap<>();

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        return cached(readers, schema, () -> super.createDatumReader(schema));
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        Map<Schema, DatumWriter<T>> writers = data instanceof SpecificRecord ? specificWriters : genericWriters;
        return cached(writers, schema, () -> super.createDatumWriter(data, schema));
    }

    private static <V> V cached(Map<Schema, V> cache, Schema schema, Supplier<V> create) {
        V value = cache.get(schema);
        if (value == null) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            value = create.get();
            cache.put(schema, value);
        }
        return value;
    }
}
