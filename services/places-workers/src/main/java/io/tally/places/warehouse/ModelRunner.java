package io.tally.places.warehouse;

import io.tally.tasks.places.ModelRun;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link ModelProject}'s models in a job's schema as dbt-duckdb's {@code table} materialization does:
 * {@code CREATE OR REPLACE TABLE <model> AS <select>}, staging before marts, all in one transaction, so a failed
 * model leaves the job's tables as they were and a rerun replaces them.
 */
public final class ModelRunner {

    private final Warehouse warehouse;

    public ModelRunner(Warehouse warehouse) {
        this.warehouse = warehouse;
    }

    /** Materializes every model of {@code project} in {@code schema}; each run says its rows and time. */
    public List<ModelRun> run(String schema, ModelProject project) throws SQLException {
        return warehouse.inSchema(schema, connection -> {
            connection.setAutoCommit(false);
            List<ModelRun> runs = new ArrayList<>();
            ModelProject.Model current = null;
            try (var statement = connection.createStatement()) {
                for (ModelProject.Model model : project.models()) {
                    current = model;
                    long start = System.nanoTime();
                    String table = Warehouse.quote(model.name());
                    statement.execute("CREATE OR REPLACE TABLE " + table + " AS " + model.sql());
                    long rows;
                    try (var count = statement.executeQuery("SELECT count(*) FROM " + table)) {
                        count.next();
                        rows = count.getLong(1);
                    }
                    runs.add(new ModelRun(model.name(), model.layer(), rows, (System.nanoTime() - start) / 1_000_000));
                }
                connection.commit();
                return runs;
            } catch (SQLException e) {
                connection.rollback();
                throw new SQLException("model " + (current == null ? "?" : current.layer() + "/" + current.name())
                        + " failed: " + e.getMessage(), e);
            }
        });
    }
}
