package io.flock.coordinator.store;

import io.flock.core.FlockException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prepared statements over one connection: queries, updates and transactions. Not thread-safe: the store serialises. */
final class Sql {
    /** Maps the current row of a result set. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** A unit of work run in one transaction. */
    interface Work<T> {
        T run() throws SQLException;
    }

    private final Connection connection;

    Sql(Connection connection) {
        this.connection = connection;
    }

    <T> List<T> query(String sql, Row<T> mapper, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new FlockException("database query failed: " + e.getMessage(), e);
        }
    }

    int update(String sql, Object... args) {
        try {
            return updateOrThrow(sql, args);
        } catch (SQLException e) {
            throw new FlockException("database update failed: " + e.getMessage(), e);
        }
    }

    int updateOrThrow(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        }
    }

    /** Runs the work in one transaction: all of it commits, or none of it does. */
    <T> T transaction(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new FlockException("database transaction failed: " + e.getMessage(), e);
        }
    }

    /** @return whether the error is an integrity constraint violation (SQLSTATE class 23: unique key, primary key) */
    static boolean isConstraintViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new FlockException("closing the database failed: " + e.getMessage(), e);
        }
    }
}
