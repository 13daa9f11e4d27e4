package io.tally.places;

import io.tally.places.warehouse.ModelProject;
import io.tally.places.warehouse.ModelTestRunner;
import io.tally.places.warehouse.Warehouse;
import io.tally.tasks.places.ModelTestResult;
import io.tally.tasks.places.TestModelsInput;
import io.tally.tasks.places.TestModelsOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code test-models} task: the project's data tests on the job's tables ({@link ModelTestRunner}). It succeeds
 * whatever the tests say, with each result in its output: the report tells about them and the quality gate fails the
 * job. A test that cannot run ({@code test-error}, say a missing column) is not retried.
 */
record TestModelsHandler(ModelTestRunner runner, ModelProject project)
        implements TaskHandler.Work<TestModelsInput, TestModelsOutput> {

    static final String TASK_TYPE = "test-models";
    private static final Logger log = LoggerFactory.getLogger(TestModelsHandler.class);

    @Override
    public TestModelsOutput run(TestModelsInput input, TaskContext context) throws Exception {
        long start = System.nanoTime();
        List<ModelTestResult> results;
        try {
            results = runner.run(Warehouse.schemaOf(input.getJobId()), project.tests());
        } catch (SQLException e) {
            throw new TaskFailedException("test-error", e.getMessage(), false, e);
        }
        int failed = (int) results.stream().filter(result -> !result.getPassed()).count();
        log.info("Data tests of job {}: {} passed, {} failed{}", input.getJobId(), results.size() - failed, failed,
                failed == 0 ? "" : " " + results.stream().filter(result -> !result.getPassed())
                        .map(ModelTestResult::getName).toList());
        return TestModelsOutput.newBuilder().setTests(results).setPassed(results.size() - failed).setFailed(failed)
                .setElapsedMs(CollectPlacesHandler.elapsedMs(start)).build();
    }
}
