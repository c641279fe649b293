package io.flock.coordinator.store;

import io.flock.core.FlockException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Prepared statements over one connection: queries, updates and transactions. A connection the database dropped (a
 * restart, a reset: SQLSTATE class 08 or 57P) is closed and the error raised as {@link StoreUnavailableException}; the
 * next call opens a new one, so the store recovers by itself once the database is back. Not thread-safe: the store
 * serialises.
 */
final class Sql {
    /** Maps the current row of a result set. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** A unit of work run in one transaction. */
    interface Work<T> {
        T run() throws SQLException;
    }

    /** Opens a new connection to the same database. */
    interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;
    /** null after the database dropped it, until the next call reconnects */
    private Connection connection;

    Sql(Connection connection, Connector connector) {
        this.connection = connection;
        this.connector = connector;
    }

    <T> List<T> query(String sql, Row<T> mapper, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw unavailableOr(e, "database query failed");
        }
    }

    int update(String sql, Object... args) {
        try {
            return updateOrThrow(sql, args);
        } catch (SQLException e) {
            throw unavailableOr(e, "database update failed");
        }
    }

    /**
     * @throws SQLException              what the database refused (a constraint, say): the caller decides
     * @throws StoreUnavailableException when the connection was lost
     */
    int updateOrThrow(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            if (lost(e)) {
                throw unavailableOr(e, "database update failed");
            }
            throw e;
        }
    }

    /** Runs the work in one transaction: all of it commits, or none of it does. */
    <T> T transaction(Work<T> work) {
        try {
            Connection c = connection();
            c.setAutoCommit(false);
            try {
                T result = work.run();
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                if (connection != null) {
                    c.rollback();
                }
                throw e;
            } finally {
                if (connection != null) {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw unavailableOr(e, "database transaction failed");
        }
    }

    /** @return the error to raise: StoreUnavailableException (after dropping the connection) when it was lost */
    private FlockException unavailableOr(SQLException e, String what) {
        if (!lost(e)) {
            return new FlockException(what + ": " + e.getMessage(), e);
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is gone either way
            }
            connection = null;
        }
        return new StoreUnavailableException(what + ", the database is unavailable: " + e.getMessage(), e);
    }

    /** @return whether the error means the connection is gone (SQLSTATE 08xxx, 57P0x) rather than a refused statement */
    private boolean lost(SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        try {
            return connection == null || connection.isClosed();
        } catch (SQLException closed) {
            return true;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connector.open();
        }
        return connection;
    }

    /** @return whether the error is an integrity constraint violation (SQLSTATE class 23: unique key, primary key) */
    static boolean isConstraintViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection().prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            throw new FlockException("closing the database failed: " + e.getMessage(), e);
        }
    }
}
