package io.tally.places.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded DuckDB warehouse: one database file, one schema per job ({@link #schemaOf}) holding the job's raw
 * table and model tables, so a rerun or a redelivered task replaces its own tables and never touches another job's.
 * Each piece of work gets its own connection (DuckDB's {@code duplicate()} of one database instance), whose
 * {@code schema} setting points at the job's schema.
 * Known gap: job schemas are kept (for inspection) and never dropped; nothing prunes old runs yet.
 */
public final class Warehouse implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Warehouse.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** Work on a connection of the warehouse. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Path file;
    private final DuckDBConnection database;

    public Warehouse(Path file) {
        this.file = file.toAbsolutePath();
        try {
            Files.createDirectories(this.file.getParent());
            this.database = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + this.file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the warehouse folder of " + this.file, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the DuckDB warehouse " + this.file + ": " + e.getMessage(), e);
        }
        log.info("Warehouse: DuckDB file {}", this.file);
    }

    public Path file() {
        return file;
    }

    /**
     * The schema of a job's tables: {@code run_} and the job id with every character other than a letter or digit as
     * {@code _}, lower case, plus a hash of the id, so two ids that read alike never share a schema.
     */
    public static String schemaOf(String jobId) {
        String readable = jobId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (readable.length() > 40) {
            readable = readable.substring(readable.length() - 40);
        }
        return "run_" + readable + "_" + Integer.toHexString(jobId.hashCode() & 0x7fffffff);
    }

    /** {@code name} double-quoted, after checking it is a plain identifier (models, columns and schemas are). */
    public static String quote(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain SQL identifier: '" + name + "'");
        }
        return '"' + name + '"';
    }

    /** Runs {@code work} on a connection of its own whose default schema is {@code schema} (created when missing). */
    public <T> T inSchema(String schema, Work<T> work) throws SQLException {
        try (Connection connection = database.duplicate()) {
            try (var statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
                statement.execute("SET schema = '" + schema + "'");
            }
            return work.run(connection);
        }
    }

    @Override
    public void close() throws SQLException {
        database.close();
    }
}
