package io.tally.pipeline;

/**
 * A stage's fan-out: one task per element of a list an earlier stage produced, each counted once by the tracker
 * (duplicates, corrections, early and late results as for any job's items).
 *
 * @param items   an expression that yields a list, such as {@code ${stages.pick.output.tracks}}
 * @param itemKey an expression evaluated per element that gives its stable item id, such as {@code ${item.trackKey}};
 *                a redelivered or re-run element with the same key counts once
 * @param as      the name an element has in this stage's expressions; {@code item} unless set
 */
public record FanOut(String items, String itemKey, String as) {
}
