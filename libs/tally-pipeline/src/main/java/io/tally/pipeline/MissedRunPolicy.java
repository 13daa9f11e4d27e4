package io.tally.pipeline;

/** What a schedule does with instants that passed while no scheduler could fire them. */
public enum MissedRunPolicy {
    /** Record the latest missed instant as handled without triggering anything. */
    SKIP,
    /** Trigger once, for the latest missed instant; earlier missed instants are dropped. */
    FIRE_ONCE
}
