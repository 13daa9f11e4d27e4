package io.tally.places;

import io.tally.tasks.places.ModelRun;
import io.tally.tasks.places.ModelTestResult;
import io.tally.tasks.places.PlacesReportInput;
import io.tally.tasks.places.PlacesReportOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import java.util.List;

/**
 * The {@code places-report} task: the run's notification, made from the steps' outputs. Every test passed: the
 * success summary ({@code pipeline-succeeded}) with rows and timings per step. Any failed: the failure message
 * ({@code pipeline-failed}) naming each failed test with its failing rows and samples, then the same steps. Its
 * {@code failedTests} are the quality gate's input. A pure function of its input, so a rerun says the same.
 */
record PlacesReportHandler() implements TaskHandler.Work<PlacesReportInput, PlacesReportOutput> {

    static final String TASK_TYPE = "places-report";
    static final String SUCCEEDED = "pipeline-succeeded";
    static final String FAILED = "pipeline-failed";

    @Override
    public PlacesReportOutput run(PlacesReportInput input, TaskContext context) {
        return report(input);
    }

    static PlacesReportOutput report(PlacesReportInput input) {
        List<ModelTestResult> failed = input.getTests().stream().filter(test -> !test.getPassed()).toList();
        int total = input.getTests().size();
        long martRows = input.getModels().stream().filter(model -> model.getLayer().equals("marts"))
                .mapToLong(ModelRun::getRows).sum();
        StringBuilder body = new StringBuilder();
        String subject;
        if (failed.isEmpty()) {
            subject = "[tally] %s %s: %d places collected, %d/%d data tests passed".formatted(input.getPipeline(),
                    input.getCity(), input.getCollectRows(), total, total);
            body.append("Job %s succeeded: %d of %d data tests passed.%n".formatted(input.getJobId(), total, total));
        } else {
            subject = "[tally] %s %s: %d of %d data tests failed".formatted(input.getPipeline(), input.getCity(),
                    failed.size(), total);
            body.append("Job %s failed its quality gate: %d of %d data tests failed.%n".formatted(input.getJobId(),
                    failed.size(), total));
            body.append("%nFailed tests:%n");
            for (ModelTestResult test : failed) {
                body.append(" - %s (%s on %s): %d failing row(s)%n".formatted(test.getName(), test.getKind(),
                        test.getModel(), test.getFailingRows()));
                test.getSampleRows().forEach(row -> body.append("     ").append(row).append('\n'));
            }
        }
        body.append("%nPipeline: %s, city: %s, source: %s%n".formatted(input.getPipeline(), input.getCity(),
                input.getSource()));
        body.append("Steps (rows, time):%n".formatted());
        body.append("  collect    %6d rows  %6d ms  raw_places%n".formatted(input.getCollectRows(), input.getCollectMs()));
        body.append("  transform  %6d rows  %6d ms  %d models%n".formatted(martRows, input.getTransformMs(),
                input.getModels().size()));
        for (ModelRun model : input.getModels()) {
            body.append("    %-9s%6d rows  %6d ms  %s%n".formatted(model.getLayer(), model.getRows(),
                    model.getElapsedMs(), model.getName()));
        }
        body.append("  tests      %d passed, %d failed  %6d ms%n".formatted(total - failed.size(), failed.size(),
                input.getTestsMs()));
        return PlacesReportOutput.newBuilder().setKind(failed.isEmpty() ? SUCCEEDED : FAILED).setSubject(subject)
                .setBody(body.toString()).setFailedTests(failed.stream().map(ModelTestResult::getName).toList()).build();
    }
}
