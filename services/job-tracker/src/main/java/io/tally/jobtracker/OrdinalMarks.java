package io.tally.jobtracker;

import io.tally.events.ItemOutcome;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The dedupe marks of one job's ordinal items (ADR 0023): item n's latest outcome in two bits at position n, plus the
 * few items whose latest attempt is above 1 or that arrived after the job had ended. One value per job, changed in
 * place in the write-back cache and written once per commit, where per-item marks cost one state write per item.
 * Known gap: a job changed in a commit writes all its n/4 bytes again; {@code tally.tracker.ordinal-limit} bounds n.
 */
final class OrdinalMarks {

    private static final byte FORMAT = 1;
    private static final ItemOutcome[] OUTCOMES = ItemOutcome.values();
    private static final int PER_BYTE = 4;

    static final Serde<OrdinalMarks> SERDE = Serdes.serdeFrom(
            (topic, marks) -> marks == null ? null : marks.toBytes(),
            (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

    /** Two bits per ordinal: 0 not seen, else the outcome's ordinal plus one. */
    private byte[] outcomes;
    /** Ordinal → latest attempt, for attempts above 1 only: retries are the exception. */
    private final Map<Integer, Integer> attempts;
    /** Ordinals first seen after the job had ended: kept out of its counts. */
    private final Set<Integer> late;

    private OrdinalMarks(byte[] outcomes, Map<Integer, Integer> attempts, Set<Integer> late) {
        this.outcomes = outcomes;
        this.attempts = attempts;
        this.late = late;
    }

    /** Empty marks sized for {@code expectedItems} ordinals; they grow if a higher ordinal comes. */
    static OrdinalMarks forItems(int expectedItems) {
        return new OrdinalMarks(new byte[bytesFor(Math.max(expectedItems, 1))], new TreeMap<>(), new TreeSet<>());
    }

    /** The mark of item {@code ordinal}, or null when it has not been seen. */
    ItemMark get(int ordinal) {
        int index = ordinal / PER_BYTE;
        if (index >= outcomes.length) {
            return null;
        }
        int code = (outcomes[index] >>> shift(ordinal)) & 0b11;
        if (code == 0) {
            return null;
        }
        return new ItemMark(OUTCOMES[code - 1], attempts.getOrDefault(ordinal, 1), late.contains(ordinal));
    }

    void put(int ordinal, ItemMark mark) {
        int index = ordinal / PER_BYTE;
        if (index >= outcomes.length) {
            outcomes = Arrays.copyOf(outcomes, Math.max(index + 1, outcomes.length * 2));
        }
        int shift = shift(ordinal);
        outcomes[index] = (byte) ((outcomes[index] & ~(0b11 << shift)) | ((mark.outcome().ordinal() + 1) << shift));
        if (mark.attempt() > 1) {
            attempts.put(ordinal, mark.attempt());
        } else {
            attempts.remove(ordinal);
        }
        if (mark.late()) {
            late.add(ordinal);
        } else {
            late.remove(ordinal);
        }
    }

    private static int shift(int ordinal) {
        return (ordinal % PER_BYTE) * 2;
    }

    private static int bytesFor(int ordinals) {
        return (ordinals + PER_BYTE - 1) / PER_BYTE;
    }

    byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(1 + 3 * Integer.BYTES + outcomes.length
                + attempts.size() * 2 * Integer.BYTES + late.size() * Integer.BYTES);
        buffer.put(FORMAT).putInt(outcomes.length).put(outcomes);
        buffer.putInt(attempts.size());
        attempts.forEach((ordinal, attempt) -> buffer.putInt(ordinal).putInt(attempt));
        buffer.putInt(late.size());
        late.forEach(buffer::putInt);
        return buffer.array();
    }

    static OrdinalMarks fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte format = buffer.get();
        if (format != FORMAT) {
            // State written by a later release: reading it as this layout would count items wrongly.
            throw new IllegalStateException("ordinal marks in format " + format + "; this release reads format " + FORMAT);
        }
        byte[] outcomes = new byte[buffer.getInt()];
        buffer.get(outcomes);
        Map<Integer, Integer> attempts = new TreeMap<>();
        for (int i = buffer.getInt(); i > 0; i--) {
            attempts.put(buffer.getInt(), buffer.getInt());
        }
        Set<Integer> late = new TreeSet<>();
        for (int i = buffer.getInt(); i > 0; i--) {
            late.add(buffer.getInt());
        }
        return new OrdinalMarks(outcomes, attempts, late);
    }
}
