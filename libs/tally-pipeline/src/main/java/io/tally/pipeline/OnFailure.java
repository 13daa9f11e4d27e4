package io.tally.pipeline;

/** What a stage that failed for good does to its job. */
public enum OnFailure {
    /** End the job FAILED at once, naming the stage and the error; nothing more is dispatched. */
    FAIL,
    /** Mark the stage FAILED and go on: stages that depend on it still run, and the job ends COMPLETED_WITH_FAILURES. */
    CONTINUE
}
