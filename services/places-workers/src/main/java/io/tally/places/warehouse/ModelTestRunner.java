package io.tally.places.warehouse;

import io.tally.tasks.places.ModelTestResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs {@link ModelTest}s in a job's schema the way {@code dbt test} does: each test is a query for the rows that
 * break it; none means it passed. A failed test is a result (with its failing row count and up to
 * {@link #SAMPLE_ROWS} sample rows as {@code column=value} text), not an exception: the quality gate decides.
 * A test that cannot run (a missing table or column) is an exception, since the project is wrong, not the data.
 */
public final class ModelTestRunner {

    /** The most failing rows a result shows. */
    public static final int SAMPLE_ROWS = 5;
    private static final int MAX_ROW_TEXT = 300;

    private final Warehouse warehouse;

    public ModelTestRunner(Warehouse warehouse) {
        this.warehouse = warehouse;
    }

    /** Runs {@code tests} in order against the tables of {@code schema}. */
    public List<ModelTestResult> run(String schema, List<ModelTest> tests) throws SQLException {
        return warehouse.inSchema(schema, connection -> {
            List<ModelTestResult> results = new ArrayList<>();
            for (ModelTest test : tests) {
                try {
                    results.add(run(connection, test));
                } catch (SQLException e) {
                    throw new SQLException("test " + test.name() + " could not run: " + e.getMessage(), e);
                }
            }
            return results;
        });
    }

    private static ModelTestResult run(Connection connection, ModelTest test) throws SQLException {
        String table = Warehouse.quote(test.model());
        if (test.kind().equals("row_count")) {
            long rows = count(connection, "SELECT * FROM " + table, List.of());
            boolean passed = (test.min() == null || rows >= test.min()) && (test.max() == null || rows <= test.max());
            List<String> sample = passed ? List.of() : List.of("rows=%d, expected %s..%s".formatted(rows,
                    test.min() == null ? "" : test.min(), test.max() == null ? "" : test.max()));
            return result(test, passed, passed ? 0 : rows, sample);
        }
        String column = Warehouse.quote(test.column());
        List<String> parameters = List.of();
        String failing = switch (test.kind()) {
            case "not_null" -> "SELECT * FROM " + table + " WHERE " + column + " IS NULL";
            case "unique" -> "SELECT * FROM " + table + " WHERE " + column + " IN (SELECT " + column + " FROM " + table
                    + " WHERE " + column + " IS NOT NULL GROUP BY " + column + " HAVING count(*) > 1)";
            case "accepted_values" -> {
                parameters = test.values();
                yield "SELECT * FROM " + table + " WHERE " + column + " IS NOT NULL AND CAST(" + column
                        + " AS VARCHAR) NOT IN (" + test.values().stream().map(value -> "?").collect(Collectors.joining(", ")) + ")";
            }
            default -> throw new IllegalStateException("unknown test kind " + test.kind());
        };
        long rows = count(connection, failing, parameters);
        // A unique test's duplicates are shown side by side.
        String order = test.kind().equals("unique") ? " ORDER BY " + column : "";
        List<String> sample = rows == 0 ? List.of() : sample(connection, failing + order + " LIMIT " + SAMPLE_ROWS, parameters);
        return result(test, rows == 0, rows, sample);
    }

    private static ModelTestResult result(ModelTest test, boolean passed, long failingRows, List<String> sample) {
        return ModelTestResult.newBuilder().setName(test.name()).setModel(test.model()).setKind(test.kind())
                .setPassed(passed).setFailingRows(failingRows).setSampleRows(sample).build();
    }

    private static long count(Connection connection, String query, List<String> parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, "SELECT count(*) FROM (" + query + ")", parameters);
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    private static List<String> sample(Connection connection, String query, List<String> parameters) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement statement = prepare(connection, query, parameters);
             ResultSet result = statement.executeQuery()) {
            ResultSetMetaData columns = result.getMetaData();
            while (result.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    cells.add(columns.getColumnLabel(i) + "=" + result.getString(i));
                }
                String row = String.join(", ", cells);
                rows.add(row.length() <= MAX_ROW_TEXT ? row : row.substring(0, MAX_ROW_TEXT) + "…");
            }
        }
        return rows;
    }

    private static PreparedStatement prepare(Connection connection, String query, List<String> parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(query);
        for (int i = 0; i < parameters.size(); i++) {
            statement.setString(i + 1, parameters.get(i));
        }
        return statement;
    }
}
