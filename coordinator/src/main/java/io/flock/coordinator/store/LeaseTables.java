package io.flock.coordinator.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of model leases: {@code leases}, one row per model naming the replica that runs its training loop, its expiry
 * and its epoch (fencing token). A released lease keeps its row (holder "", expired) so the epoch never goes back.
 * Not thread-safe: {@link JdbcFlockStore} serialises and makes writes durable.
 *
 * <p>Acquiring is race-free between processes. On PostgreSQL it is one {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE
 * ... RETURNING}: the database inserts or updates atomically, and a concurrent acquirer waits for the row lock, then
 * re-evaluates the WHERE against the winner's row. H2 has no {@code ON CONFLICT ... DO UPDATE}: there a transaction
 * updates the row under the same condition (H2 locks the row and re-checks the condition after a wait), and if nothing
 * matched inserts it, the primary key refusing all but one of concurrent inserters.
 */
final class LeaseTables {
    private static final String COLUMNS = "model, holder, expires_ms, epoch";
    /** A renewal keeps the epoch and never shortens the expiry; a takeover moves the epoch on. */
    private static final String PG_ACQUIRE = "INSERT INTO leases(" + COLUMNS + ") VALUES (?, ?, ?, 1)"
            + " ON CONFLICT (model) DO UPDATE SET"
            + " epoch = CASE WHEN leases.holder = EXCLUDED.holder THEN leases.epoch ELSE leases.epoch + 1 END,"
            + " expires_ms = CASE WHEN leases.holder = EXCLUDED.holder THEN GREATEST(leases.expires_ms, EXCLUDED.expires_ms)"
            + " ELSE EXCLUDED.expires_ms END,"
            + " holder = EXCLUDED.holder"
            + " WHERE leases.expires_ms <= ? OR leases.holder = EXCLUDED.holder"
            + " RETURNING " + COLUMNS;
    private static final String H2_TAKE = "UPDATE leases SET"
            + " epoch = CASE WHEN holder = ? THEN epoch ELSE epoch + 1 END,"
            + " expires_ms = CASE WHEN holder = ? THEN GREATEST(expires_ms, ?) ELSE ? END,"
            + " holder = ?"
            + " WHERE model = ? AND (expires_ms <= ? OR holder = ?)";
    private final Sql sql;
    private final boolean postgres;

    LeaseTables(Sql sql, boolean postgres) {
        this.sql = sql;
        this.postgres = postgres;
    }

    /** @return the row when {@code holder} holds the lease after the call, empty otherwise */
    List<LeaseRow> tryAcquire(String model, String holder, long nowMs, long ttlMs) {
        long expires = nowMs + ttlMs;
        if (postgres) {
            return sql.query(PG_ACQUIRE, LeaseTables::row, model, holder, expires, nowMs);
        }
        return sql.transaction(() -> {
            if (sql.updateOrThrow(H2_TAKE, holder, holder, expires, expires, holder, model, nowMs, holder) == 0) {
                try {
                    sql.updateOrThrow("INSERT INTO leases(" + COLUMNS + ") VALUES (?, ?, ?, 1)", model, holder, expires);
                } catch (SQLException e) {
                    if (Sql.isConstraintViolation(e)) {
                        return List.of();
                    }
                    throw e;
                }
            }
            return sql.query("SELECT " + COLUMNS + " FROM leases WHERE model = ?", LeaseTables::row, model);
        });
    }

    /** Frees the lease if {@code holder} holds it under {@code epoch}, keeping the row so the next holder's epoch is higher. */
    boolean release(String model, String holder, long epoch) {
        return sql.update("UPDATE leases SET holder = '', expires_ms = 0 WHERE model = ? AND holder = ? AND epoch = ?", model, holder,
                epoch) == 1;
    }

    /** @return the lease row, empty when there never was one or it was released */
    List<LeaseRow> lease(String model) {
        return sql.query("SELECT " + COLUMNS + " FROM leases WHERE model = ? AND holder <> ''", LeaseTables::row, model);
    }

    private static LeaseRow row(ResultSet rs) throws SQLException {
        return new LeaseRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4));
    }
}
