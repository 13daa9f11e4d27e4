package io.tally.places.warehouse;

import io.tally.places.source.Place;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * Writes the raw table of a job, {@code <run schema>.raw_places}: one row per collected place, as the source gave it
 * (nothing cleaned: the models clean, the tests judge). The table is replaced in one transaction, so a redelivered
 * or retried collect leaves the rows of one collect, never twice as many.
 */
public final class RawPlaces {

    /** The raw table's name in each run schema; the staging models read it. */
    public static final String TABLE = "raw_places";

    private RawPlaces() {
    }

    /** Replaces the job's raw table with {@code places}; returns the rows it holds after. */
    public static long replace(Warehouse warehouse, String jobId, String city, List<Place> places, Instant collectedAt)
            throws SQLException {
        return warehouse.inSchema(Warehouse.schemaOf(jobId), connection -> {
            connection.setAutoCommit(false);
            try {
                try (var statement = connection.createStatement()) {
                    statement.execute("CREATE OR REPLACE TABLE " + TABLE + " (job_id VARCHAR NOT NULL, city VARCHAR NOT NULL, "
                            + "position INTEGER NOT NULL, place_id VARCHAR, display_name VARCHAR, formatted_address VARCHAR, "
                            + "rating DECIMAL(2,1), user_rating_count BIGINT, price_level VARCHAR, types VARCHAR, "
                            + "raw_json VARCHAR NOT NULL, collected_at TIMESTAMP NOT NULL)");
                }
                insert(connection, jobId, city, places, collectedAt);
                long rows = count(connection);
                connection.commit();
                return rows;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        });
    }

    private static void insert(Connection connection, String jobId, String city, List<Place> places, Instant collectedAt)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + TABLE + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int position = 1;
            for (Place place : places) {
                insert.setString(1, jobId);
                insert.setString(2, city);
                insert.setInt(3, position++);
                insert.setString(4, place.id());
                insert.setString(5, place.displayName());
                insert.setString(6, place.formattedAddress());
                if (place.rating() == null) {
                    insert.setNull(7, Types.DECIMAL);
                } else {
                    insert.setBigDecimal(7, new BigDecimal(place.rating()));
                }
                if (place.userRatingCount() == null) {
                    insert.setNull(8, Types.BIGINT);
                } else {
                    insert.setLong(8, place.userRatingCount());
                }
                insert.setString(9, place.priceLevel());
                insert.setString(10, place.types() == null ? null : String.join(",", place.types()));
                insert.setString(11, place.rawJson());
                insert.setTimestamp(12, Timestamp.from(collectedAt));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static long count(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
             var result = statement.executeQuery("SELECT count(*) FROM " + TABLE)) {
            result.next();
            return result.getLong(1);
        }
    }
}
