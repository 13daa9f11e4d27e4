package io.tally.places;

import io.tally.places.warehouse.ModelProject;
import io.tally.places.warehouse.ModelRunner;
import io.tally.places.warehouse.RawPlaces;
import io.tally.places.warehouse.Warehouse;
import io.tally.tasks.places.ModelRun;
import io.tally.tasks.places.TransformModelsInput;
import io.tally.tasks.places.TransformModelsOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code transform-models} task: the models folder's SQL in the job's schema ({@link ModelRunner}). A model
 * that does not run ({@code model-failed}) is not retried: the same SQL on the same rows fails again.
 */
record TransformModelsHandler(ModelRunner runner, ModelProject project)
        implements TaskHandler.Work<TransformModelsInput, TransformModelsOutput> {

    static final String TASK_TYPE = "transform-models";
    private static final Logger log = LoggerFactory.getLogger(TransformModelsHandler.class);

    @Override
    public TransformModelsOutput run(TransformModelsInput input, TaskContext context) throws Exception {
        long start = System.nanoTime();
        String schema = Warehouse.schemaOf(input.getJobId());
        if (!input.getRawTable().equals(schema + "." + RawPlaces.TABLE)) {
            throw new TaskFailedException("bad-input", "raw table %s is not job %s's (%s.%s)".formatted(
                    input.getRawTable(), input.getJobId(), schema, RawPlaces.TABLE), false);
        }
        List<ModelRun> models;
        try {
            models = runner.run(schema, project);
        } catch (SQLException e) {
            throw new TaskFailedException("model-failed", e.getMessage(), false, e);
        }
        long martRows = models.stream().filter(model -> model.getLayer().equals("marts")).mapToLong(ModelRun::getRows).sum();
        log.info("Ran {} models in {}: {}", models.size(), schema, models.stream()
                .map(model -> model.getName() + "=" + model.getRows()).toList());
        return TransformModelsOutput.newBuilder().setRunSchema(schema).setModels(models).setRows(martRows)
                .setElapsedMs(CollectPlacesHandler.elapsedMs(start)).build();
    }
}
