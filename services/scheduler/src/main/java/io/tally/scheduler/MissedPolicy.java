package io.tally.scheduler;

/** What a schedule does with instants that passed while no leader could fire them. */
public enum MissedPolicy {
    /** Record the latest missed instant as handled without triggering anything. */
    SKIP,
    /** Trigger once, for the latest missed instant; earlier missed instants are dropped. */
    FIRE_ONCE
}
