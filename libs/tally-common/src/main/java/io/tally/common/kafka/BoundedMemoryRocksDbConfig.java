package io.tally.common.kafka;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the off-heap memory of all RocksDB stores of one process, as the Kafka Streams memory-management guide
 * recommends: one LRU block cache shared by every store, with memtables charged against it through a write buffer
 * manager, and index and filter blocks kept inside the cache. Without it each store takes its own 50 MB block cache
 * and up to three 16 MB memtables, so a tracker with 6 partitions x 3 stores could reach 1.7 GB off heap.
 * Set {@code rocksdb.config.setter} to this class; {@value #TOTAL_BYTES} (default 128 MiB) sets the budget and
 * {@value #MEMTABLE_SHARE} (default 0.5) the part of it that memtables may use.
 * Known gap: the cache is per JVM and sized by the first store that opens; Kafka Streams creates config setters by
 * reflection per store, so sharing one cache needs this one static holder (the pattern of the Kafka docs).
 */
public class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {

    public static final String TOTAL_BYTES = "tally.rocksdb.total-bytes";
    public static final String MEMTABLE_SHARE = "tally.rocksdb.memtable-share";
    static final long DEFAULT_TOTAL_BYTES = 128L * 1024 * 1024;
    static final double DEFAULT_MEMTABLE_SHARE = 0.5;
    /** Memtable size of one store; small, because the write buffer manager bounds the sum anyway. */
    static final long WRITE_BUFFER_BYTES = 8L * 1024 * 1024;

    private static final Object LOCK = new Object();
    private static Cache cache;
    private static WriteBufferManager writeBufferManager;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        synchronized (LOCK) {
            if (cache == null) {
                long total = longValue(configs.get(TOTAL_BYTES), DEFAULT_TOTAL_BYTES);
                double memtableShare = doubleValue(configs.get(MEMTABLE_SHARE), DEFAULT_MEMTABLE_SHARE);
                if (total <= 0 || memtableShare <= 0 || memtableShare >= 1) {
                    throw new IllegalArgumentException("%s must be positive and %s between 0 and 1 (got %d, %s)"
                            .formatted(TOTAL_BYTES, MEMTABLE_SHARE, total, memtableShare));
                }
                // High-priority pool for index and filter blocks, so data blocks cannot evict them.
                cache = new LRUCache(total, -1, false, 0.1);
                writeBufferManager = new WriteBufferManager((long) (total * memtableShare), cache);
            }
        }
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBufferManager);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the process: closing them here
        // would break the stores still open.
    }

    private static long longValue(Object value, long fallback) {
        return value == null ? fallback : value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
    }

    private static double doubleValue(Object value, double fallback) {
        return value == null ? fallback : value instanceof Number number ? number.doubleValue() : Double.parseDouble(value.toString().trim());
    }
}
