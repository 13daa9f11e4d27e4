package io.tally.places;

import io.tally.tasks.places.QualityGateInput;
import io.tally.tasks.places.QualityGateOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;

/**
 * The {@code quality-gate} task: fails, not retryable, with {@code quality-gate-failed} naming the failed tests when
 * there are any, so the engine ends the job FAILED; passes otherwise. It runs after the notification, since a
 * definition has no conditional stages (pipelines/restaurants-daily.yml says why).
 */
record QualityGateHandler() implements TaskHandler.Work<QualityGateInput, QualityGateOutput> {

    static final String TASK_TYPE = "quality-gate";
    /** The error code of a failed gate. */
    static final String FAILED = "quality-gate-failed";

    @Override
    public QualityGateOutput run(QualityGateInput input, TaskContext context) {
        if (!input.getFailedTests().isEmpty()) {
            throw new TaskFailedException(FAILED, "%d data test(s) failed: %s".formatted(input.getFailedTests().size(),
                    String.join(", ", input.getFailedTests())), false);
        }
        return new QualityGateOutput(true);
    }
}
