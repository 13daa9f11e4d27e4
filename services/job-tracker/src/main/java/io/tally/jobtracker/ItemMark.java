package io.tally.jobtracker;

import io.tally.events.ItemOutcome;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the tracker remembers of one item: its latest outcome and attempt, and whether it arrived after the job had
 * ended (a late item is not part of the job's counts). Six bytes per item keep the dedupe store small.
 */
record ItemMark(ItemOutcome outcome, int attempt, boolean late) {

    private static final int SIZE = 1 + Integer.BYTES + 1;
    private static final ItemOutcome[] OUTCOMES = ItemOutcome.values();

    static final Serde<ItemMark> SERDE = Serdes.serdeFrom(
            (topic, mark) -> mark == null ? null : mark.toBytes(),
            (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

    private byte[] toBytes() {
        return ByteBuffer.allocate(SIZE).put((byte) outcome.ordinal()).putInt(attempt).put((byte) (late ? 1 : 0)).array();
    }

    private static ItemMark fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new ItemMark(OUTCOMES[buffer.get()], buffer.getInt(), buffer.get() == 1);
    }
}
