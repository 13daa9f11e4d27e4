package io.tally.jobtracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job store's write-back cache: what reaches the wrapped store, and when. */
class ObjectCachingKeyValueStoreTest {

    private KeyValueStore<String, StringBuilder> inner;
    private ObjectCachingKeyValueStore<String, StringBuilder> store;

    @BeforeEach
    void setUp() {
        inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("jobs"), Serdes.String(),
                Serdes.serdeFrom((topic, value) -> value.toString().getBytes(),
                        (topic, bytes) -> new StringBuilder(new String(bytes)))).withLoggingDisabled().build();
        store = new ObjectCachingKeyValueStore<>(inner, 2);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    @Test
    void writesAChangedValueDownOnlyWhenFlushedBeforeACommit() {
        // Given
        store.put("job-1", new StringBuilder("v1"));
        store.get("job-1").append("+item");
        store.put("job-1", store.get("job-1"));

        // When / Then
        assertThat(inner.get("job-1")).isNull();
        store.flush();
        assertThat(inner.get("job-1")).hasToString("v1+item");
    }

    @Test
    void writesAValueChangedInPlaceAgainAfterItWasWrittenDown() {
        // Given a value written down at one commit
        StringBuilder job = new StringBuilder("v1");
        store.put("job-1", job);
        store.flushCache();
        // When the same cached object is changed and put back, then the next commit comes
        store.get("job-1").append("+item");
        store.put("job-1", job);
        store.flushCache();
        // Then the change reached the wrapped store too
        assertThat(inner.get("job-1")).hasToString("v1+item");
    }

    @Test
    void writesChangesDownWhenStreamsFlushesCachesBeforeItCommits() {
        // Given: Kafka Streams flushes caches (not stores) before a commit, on stores that declare a cache
        store.put("job-1", new StringBuilder("counted"));

        // When
        store.flushCache();

        // Then
        assertThat(store).isInstanceOf(org.apache.kafka.streams.state.internals.CachedStateStore.class);
        assertThat(inner.get("job-1")).hasToString("counted");
    }

    @Test
    void dropsUncommittedChangesWhenStreamsClearsCaches() {
        // Given
        store.put("job-1", new StringBuilder("committed"));
        store.flushCache();
        store.put("job-1", new StringBuilder("uncommitted"));

        // When a task is closed dirty or revived
        store.clearCache();

        // Then
        assertThat(store.get("job-1")).hasToString("committed");
    }

    @Test
    void dropsChangesThatWereNeverFlushedWhenClosedLikeAnAbortedTransaction() {
        // Given
        KeyValueStore<String, StringBuilder> recorded = spy(inner);
        ObjectCachingKeyValueStore<String, StringBuilder> closing = new ObjectCachingKeyValueStore<>(recorded, 2);
        closing.put("job-1", new StringBuilder("committed"));
        closing.flush();
        clearInvocations(recorded);
        closing.put("job-1", new StringBuilder("uncommitted"));

        // When
        closing.close();

        // Then
        verify(recorded, never()).putAll(any());
        verify(recorded, never()).put(any(), any());
        verify(recorded).close();
    }

    @Test
    void writesTheLeastRecentlyUsedChangedValueDownWhenEvicted() {
        // Given
        store.put("job-1", new StringBuilder("a"));
        store.put("job-2", new StringBuilder("b"));

        // When
        store.get("job-1");
        store.put("job-3", new StringBuilder("c"));

        // Then
        assertThat(inner.get("job-2")).hasToString("b");
        assertThat(inner.get("job-1")).isNull();
        assertThat(store.get("job-1")).hasToString("a");
    }

    @Test
    void scansAndDeletesSeeTheCachedChanges() {
        // Given
        store.put("job-1", new StringBuilder("a"));
        store.put("job-2", new StringBuilder("b"));
        store.flush();
        store.put("job-2", new StringBuilder("b2"));
        store.delete("job-1");

        // When
        List<KeyValue<String, String>> all = new ArrayList<>();
        try (KeyValueIterator<String, StringBuilder> iterator = store.all()) {
            iterator.forEachRemaining(entry -> all.add(KeyValue.pair(entry.key, entry.value.toString())));
        }

        // Then
        assertThat(all).containsExactly(KeyValue.pair("job-2", "b2"));
        assertThat(store.get("job-1")).isNull();
    }
}
