package io.tally.jobtracker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A write-back cache of deserialized values in front of a Kafka Streams key-value store. Kafka Streams' own record
 * cache holds bytes, so every get and put of a job would decode and encode the whole {@code JobStatus} record; the
 * benchmark showed that round trip taking about a quarter of the tracker's CPU (docs/benchmarks.md). Here a job's
 * status is decoded once, changed in place, and written down once per commit.
 * Correctness rests on how Kafka Streams commits a task: before the commit it calls {@link #flushCache()} on every
 * store that is a {@link CachedStateStore} (an internal interface, which is why this class implements it), and
 * that writes the changed values into the wrapped store, whose record cache and changelog layer then send them
 * inside the committing transaction. {@code flush()} alone would be too late: Streams calls it after the commit,
 * and a crash in between would lose state whose input offsets were already committed (the fault-injection suite
 * caught exactly that). A task closed without a commit ({@link #clearCache()}, {@link #close()}) drops the
 * changes, as its aborted changelog records are dropped. Scans write everything down first.
 * Known gap: callers must not change a value they got from {@link #get} unless they {@link #put} it back in the
 * same record's processing, and must validate input before changing anything (the tracker does both).
 */
final class ObjectCachingKeyValueStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<K, V> {

    private final KeyValueStore<K, V> inner;
    private final int maxEntries;
    /** Access-ordered, so the least recently used entry is evicted first; a changed one is written down then. */
    private final LinkedHashMap<K, Entry<V>> entries;

    private static final class Entry<V> {
        final V value;
        boolean dirty;

        Entry(V value, boolean dirty) {
            this.value = value;
            this.dirty = dirty;
        }
    }

    ObjectCachingKeyValueStore(KeyValueStore<K, V> inner, int maxEntries) {
        this.inner = inner;
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
                if (size() <= ObjectCachingKeyValueStore.this.maxEntries) {
                    return false;
                }
                if (eldest.getValue().dirty) {
                    inner.put(eldest.getKey(), eldest.getValue().value);
                }
                return true;
            }
        };
    }

    /** Wraps the stores {@code builder} builds; {@code maxEntries} bounds the cached values per store instance. */
    static <K, V> StoreBuilder<KeyValueStore<K, V>> wrapping(StoreBuilder<KeyValueStore<K, V>> builder, int maxEntries) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
                builder.withCachingEnabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
                builder.withCachingDisabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
                builder.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
                builder.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<K, V> build() {
                return new ObjectCachingKeyValueStore<>(builder.build(), maxEntries);
            }

            @Override
            public Map<String, String> logConfig() {
                return builder.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return builder.loggingEnabled();
            }

            @Override
            public String name() {
                return builder.name();
            }
        };
    }

    @Override
    public V get(K key) {
        Entry<V> cached = entries.get(key);
        if (cached != null) {
            return cached.value;
        }
        V value = inner.get(key);
        if (value != null) {
            entries.put(key, new Entry<>(value, false));
        }
        return value;
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            delete(key);
            return;
        }
        Entry<V> cached = entries.get(key);
        if (cached != null && cached.value == value) {
            // The usual case, a value changed in place and put back: no new entry (the profile showed the map
            // insert and the allocation on every item).
            cached.dirty = true;
            return;
        }
        entries.put(key, new Entry<>(value, true));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V existing = get(key);
        if (existing == null) {
            put(key, value);
        }
        return existing;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> records) {
        records.forEach(record -> put(record.key, record.value));
    }

    @Override
    public V delete(K key) {
        Entry<V> cached = entries.remove(key);
        V deleted = inner.delete(key);
        return cached != null ? cached.value : deleted;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeDown();
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeDown();
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeDown();
        return inner.all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeDown();
        return inner.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writeDown();
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        writeDown();
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        entries.clear();
        inner.init(context, root);
    }

    /** Kafka Streams calls this before every commit: the changed values go down in the committing transaction. */
    @Override
    public void flushCache() {
        writeDown();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    /** Called when a task is closed dirty or revived: its uncommitted changes must go. */
    @Override
    public void clearCache() {
        entries.clear();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
        return inner instanceof CachedStateStore<?, ?> cached
                && ((CachedStateStore<K, V>) cached).setFlushListener(listener, sendOldValues);
    }

    /** Called after a commit (and before a clean close); everything is normally written down already. */
    @Override
    public void flush() {
        writeDown();
        inner.flush();
    }

    /** Without a flush first this is a dirty close: the changes were never committed, so they are dropped. */
    @Override
    public void close() {
        entries.clear();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        writeDown();
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    private void writeDown() {
        List<KeyValue<K, V>> changed = new ArrayList<>();
        for (Map.Entry<K, Entry<V>> entry : entries.entrySet()) {
            if (entry.getValue().dirty) {
                changed.add(KeyValue.pair(entry.getKey(), entry.getValue().value));
                entry.getValue().dirty = false;
            }
        }
        if (!changed.isEmpty()) {
            inner.putAll(changed);
        }
    }

    @Override
    public String toString() {
        return "ObjectCachingKeyValueStore(" + Objects.toString(inner) + ")";
    }
}
