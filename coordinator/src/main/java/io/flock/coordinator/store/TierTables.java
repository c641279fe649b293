package io.flock.coordinator.store;

import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of tiered aggregation: which gateway a device sits behind ({@code devices.gateway}, also set when a device enrolls
 * behind one) and the contributions of gateways' pre-aggregated updates ({@code update_contributions}, one row per model,
 * round and device, so a device counts once per round whichever gateway names it). Not thread-safe: {@link JdbcFlockStore}
 * serialises and makes writes durable.
 */
final class TierTables {
    private final Sql sql;

    TierTables(Sql sql) {
        this.sql = sql;
    }

    void assignGateway(String deviceId, String gatewayId) {
        sql.update("UPDATE devices SET gateway = ? WHERE device_id = ?", gatewayId == null || gatewayId.isEmpty() ? null : gatewayId,
                deviceId);
    }

    List<String> devicesBehind(String gatewayId) {
        return sql.query("SELECT device_id FROM devices WHERE gateway = ?", rs -> rs.getString(1), gatewayId);
    }

    /** Inserts the update row and its contributions in one transaction; a unique key refusing any of them leaves none. */
    StoredUpdate.Outcome saveAggregate(StoredUpdate u, String payloadSha256, List<StoredContribution> contributions) {
        try {
            return sql.transaction(() -> {
                sql.updateOrThrow("INSERT INTO client_updates(device_id, idempotency_key, model, round, base_version, num_examples,"
                                + " codec, payload, received_ms, payload_sha256) VALUES (?,?,?,?,?,?,?,?,?,?)", u.deviceId(),
                        u.idempotencyKey(), u.model(), u.round(), u.baseVersion(), u.numExamples(), u.codec(), u.payload(),
                        u.receivedMs(), payloadSha256);
                for (StoredContribution c : contributions) {
                    sql.updateOrThrow("INSERT INTO update_contributions(model, round, device_id, gateway_id, task_id, num_examples)"
                            + " VALUES (?,?,?,?,?,?)", c.model(), c.round(), c.deviceId(), c.gatewayId(), c.taskId(), c.numExamples());
                }
                return StoredUpdate.Outcome.SAVED;
            });
        } catch (io.flock.core.FlockException e) {
            if (!(e.getCause() instanceof SQLException s) || !Sql.isConstraintViolation(s)) {
                throw e;
            }
            boolean sameKey = !sql.query("SELECT 1 FROM client_updates WHERE device_id = ? AND idempotency_key = ?", rs -> 1,
                    u.deviceId(), u.idempotencyKey()).isEmpty();
            return sameKey ? StoredUpdate.Outcome.DUPLICATE : StoredUpdate.Outcome.CONFLICT;
        }
    }

    List<StoredContribution> contributions(String model, long round) {
        return sql.query("SELECT model, round, device_id, gateway_id, task_id, num_examples FROM update_contributions"
                + " WHERE model = ? AND round = ?", rs -> new StoredContribution(rs.getString(1), rs.getLong(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getLong(6)), model, round);
    }
}
