package io.flock.simulator.failover;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a fail-over run reads from the replicas' shared PostgreSQL schema, as an operator would with psql: who holds the
 * lease, the round's state and the updates stored for it. One connection; not thread-safe.
 */
final class FailoverProbe implements AutoCloseable {
    /** A round's row. */
    record Round(String status, int accepted, long version) {
    }

    private final Connection connection;
    private final String model;

    FailoverProbe(String jdbcUrl, String model) throws SQLException {
        this.connection = DriverManager.getConnection(jdbcUrl);
        this.model = model;
    }

    /** @return the replica holding the model's lease, empty when none (or the table does not exist yet) */
    Optional<String> holder() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT holder FROM leases WHERE model = ? AND holder <> ''"
                + " AND expires_ms > ?")) {
            ps.setString(1, model);
            ps.setLong(2, System.currentTimeMillis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** @return the round's row, empty before it opened */
    Optional<Round> round(long round) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT r.status, COALESCE(r.accepted, 0),"
                + " COALESCE((SELECT MAX(v.version) FROM model_versions v WHERE v.model = r.model AND v.round = r.round), 0)"
                + " FROM rounds r WHERE r.model = ? AND r.round = ?")) {
            ps.setString(1, model);
            ps.setLong(2, round);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Round(rs.getString(1), rs.getInt(2), rs.getLong(3))) : Optional.empty();
            }
        }
    }

    /** @return the devices whose updates the round holds (each acknowledged ACCEPTED), with when they were stored (Unix ms) */
    Map<String, Long> updates(long round) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT device_id, received_ms FROM client_updates WHERE model = ?"
                + " AND round = ? ORDER BY seq")) {
            ps.setString(1, model);
            ps.setLong(2, round);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
