package io.tally.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Every store of the process gets the one shared block cache, with index and filter blocks inside it. */
class BoundedMemoryRocksDbConfigTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void putsEveryStoreOnTheSharedCacheWithSmallMemtables() {
        // Given
        BoundedMemoryRocksDbConfig config = new BoundedMemoryRocksDbConfig();
        try (Options first = new Options().setTableFormatConfig(new BlockBasedTableConfig());
             Options second = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {

            // When
            config.setConfig("tracker-jobs", first, Map.of(BoundedMemoryRocksDbConfig.TOTAL_BYTES, "67108864"));
            config.setConfig("tracker-items", second, Map.of());

            // Then
            for (Options options : new Options[] {first, second}) {
                BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
                assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
                assertThat(options.writeBufferSize()).isEqualTo(BoundedMemoryRocksDbConfig.WRITE_BUFFER_BYTES);
                assertThat(options.maxWriteBufferNumber()).isEqualTo(2);
            }
            config.close("tracker-jobs", first);
            config.close("tracker-items", second);
        }
    }
}
