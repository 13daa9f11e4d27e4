package io.tally.jobtracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.events.ItemOutcome;
import org.junit.jupiter.api.Test;

class OrdinalMarksTest {

    @Test
    void keepsEachOrdinalsOutcomeAttemptAndLatenessThroughItsBytes() {
        // Given marks sized for 10 items, with a retry, a late item and an ordinal beyond the size
        OrdinalMarks marks = OrdinalMarks.forItems(10);
        marks.put(0, new ItemMark(ItemOutcome.SUCCEEDED, 1, false));
        marks.put(3, new ItemMark(ItemOutcome.FAILED, 1, false));
        marks.put(3, new ItemMark(ItemOutcome.SKIPPED, 4, false));
        marks.put(7, new ItemMark(ItemOutcome.FAILED, 2, true));
        marks.put(41, new ItemMark(ItemOutcome.SUCCEEDED, 1, true));
        // When they are written and read back
        OrdinalMarks read = OrdinalMarks.fromBytes(marks.toBytes());
        // Then every mark is as put, neighbours untouched, and unseen ordinals have none
        assertThat(read.get(0)).isEqualTo(new ItemMark(ItemOutcome.SUCCEEDED, 1, false));
        assertThat(read.get(3)).isEqualTo(new ItemMark(ItemOutcome.SKIPPED, 4, false));
        assertThat(read.get(7)).isEqualTo(new ItemMark(ItemOutcome.FAILED, 2, true));
        assertThat(read.get(41)).isEqualTo(new ItemMark(ItemOutcome.SUCCEEDED, 1, true));
        assertThat(read.get(1)).isNull();
        assertThat(read.get(2)).isNull();
        assertThat(read.get(4)).isNull();
        assertThat(read.get(40)).isNull();
        assertThat(read.get(1_000_000)).isNull();
    }

    @Test
    void forgetsARetryOrLatenessWhenTheLatestMarkHasNone() {
        // Given an item marked late on attempt 3
        OrdinalMarks marks = OrdinalMarks.forItems(4);
        marks.put(2, new ItemMark(ItemOutcome.FAILED, 3, true));
        // When its mark is replaced by a first attempt that is not late
        marks.put(2, new ItemMark(ItemOutcome.SUCCEEDED, 1, false));
        // Then nothing of the old mark remains, in memory or in the bytes
        assertThat(marks.get(2)).isEqualTo(new ItemMark(ItemOutcome.SUCCEEDED, 1, false));
        assertThat(marks.toBytes()).hasSize(1 + 3 * Integer.BYTES + 1);
    }

    @Test
    void takesAQuarterBytePerItem() {
        // Given marks for 10,000 items, all seen once
        OrdinalMarks marks = OrdinalMarks.forItems(10_000);
        for (int i = 0; i < 10_000; i++) {
            marks.put(i, new ItemMark(ItemOutcome.SUCCEEDED, 1, false));
        }
        // Then they take 2,500 bytes plus a 13-byte header
        assertThat(marks.toBytes()).hasSize(2_513);
    }

    @Test
    void refusesBytesOfAnotherFormat() {
        // Given bytes whose format byte this release does not know
        byte[] bytes = OrdinalMarks.forItems(4).toBytes();
        bytes[0] = 9;
        // Then reading them fails with the reason instead of counting wrongly
        assertThatThrownBy(() -> OrdinalMarks.fromBytes(bytes)).hasMessageContaining("format 9");
    }
}
