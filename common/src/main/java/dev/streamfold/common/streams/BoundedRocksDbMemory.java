package dev.streamfold.common.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * One off-heap budget for every RocksDB store of a Kafka Streams instance, as Kafka Streams' memory-management guide
 * recommends: one block cache shared by all stores, with their memtables counted against it (a write-buffer manager)
 * and index and filter blocks inside it. By default each store instance has its own 50 MB block cache and up to three
 * 16 MB memtables: the aggregation service, with five stores on four partitions, reached 0.9 GB of resident memory in
 * the pipeline benchmark.
 *
 * <p>Kafka Streams creates one setter per store; the shared cache comes through the configuration under
 * {@link #CONFIG_KEY} (one {@link Budget} per Kafka Streams instance), not through static state.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    public static final String CONFIG_KEY = "streamfold.rocksdb.memory";
    /** Memtables may take up to half of the budget; the rest caches blocks. */
    private static final double MEMTABLE_SHARE = 0.5;
    private static final double INDEX_AND_FILTER_SHARE = 0.1;
    private static final long BLOCK_SIZE = 16 * 1024;
    private static final long MEMTABLE_SIZE = 8 * 1024 * 1024;

    /** The cache and write-buffer manager every store of one instance shares; closed with the application. */
    public static final class Budget implements AutoCloseable {

        private final Cache cache;
        private final WriteBufferManager writeBuffers;

        public Budget(long bytes) {
            if (bytes < 4 * MEMTABLE_SIZE) {
                throw new IllegalArgumentException("A RocksDB memory budget of " + bytes + " bytes is too small; at least "
                        + 4 * MEMTABLE_SIZE);
            }
            // Kafka Streams loads the native library when it opens its first store, which is after this.
            RocksDB.loadLibrary();
            this.cache = new LRUCache(bytes, -1, false, INDEX_AND_FILTER_SHARE);
            this.writeBuffers = new WriteBufferManager((long) (bytes * MEMTABLE_SHARE), cache);
        }

        @Override
        public void close() {
            writeBuffers.close();
            cache.close();
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        if (!(configs.get(CONFIG_KEY) instanceof Budget budget)) {
            throw new IllegalStateException(CONFIG_KEY + " must hold the instance's " + Budget.class.getName());
        }
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(budget.cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        options.setWriteBufferManager(budget.writeBuffers);
        options.setWriteBufferSize(MEMTABLE_SIZE);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write-buffer manager are shared by every store: the Budget's owner closes them.
    }
}
