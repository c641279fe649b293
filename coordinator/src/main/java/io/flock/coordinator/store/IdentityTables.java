package io.flock.coordinator.store;

import java.util.List;
import java.util.Optional;

/**
 * The SQL of device identity: {@code enrollment_tokens} (SHA-256 of each token, uses left, expiry), the identity
 * columns of {@code devices} (enrolled, gateway, revoked) and {@code device_certificates} (each issued certificate's
 * fingerprint and expiry). Not thread-safe: {@link JdbcFlockStore} serialises and makes writes durable.
 */
final class IdentityTables {
    private final Sql sql;

    IdentityTables(Sql sql) {
        this.sql = sql;
    }

    void saveToken(String sha256, int uses, long expiresMs, long createdMs) {
        sql.update("INSERT INTO enrollment_tokens(token_sha256, uses_left, expires_ms, created_ms) VALUES (?,?,?,?)", sha256, uses,
                expiresMs, createdMs);
    }

    boolean tokenUsable(String sha256, long nowMs) {
        return !sql.query("SELECT 1 FROM enrollment_tokens WHERE token_sha256 = ? AND uses_left > 0 AND expires_ms > ?", rs -> 1, sha256,
                nowMs).isEmpty();
    }

    FlockStore.EnrollOutcome enroll(EnrollmentRow r) {
        return sql.transaction(() -> {
            List<Boolean> revoked = sql.query("SELECT revoked FROM devices WHERE device_id = ? AND enrolled", rs -> rs.getBoolean(1),
                    r.deviceId());
            if (!revoked.isEmpty() && !revoked.get(0)) {
                return FlockStore.EnrollOutcome.ALREADY_ENROLLED;
            }
            if (sql.updateOrThrow("UPDATE enrollment_tokens SET uses_left = uses_left - 1 WHERE token_sha256 = ? AND uses_left > 0"
                    + " AND expires_ms > ?", r.tokenSha256(), r.nowMs()) != 1) {
                return FlockStore.EnrollOutcome.BAD_TOKEN;
            }
            if (sql.updateOrThrow("UPDATE devices SET hardware = ?, last_seen_ms = ?, enrolled = TRUE, gateway = ?, revoked = FALSE"
                    + " WHERE device_id = ?", r.hardware(), r.nowMs(), r.gateway(), r.deviceId()) == 0) {
                sql.updateOrThrow("INSERT INTO devices(device_id, hardware, last_seen_ms, running_version, enrolled, gateway, revoked)"
                        + " VALUES (?,?,?,0,TRUE,?,FALSE)", r.deviceId(), r.hardware(), r.nowMs(), r.gateway());
            }
            sql.updateOrThrow("UPDATE device_certificates SET revoked = TRUE WHERE device_id = ?", r.deviceId());
            if (r.fingerprint() != null) {
                insertCertificate(r.deviceId(), r.fingerprint(), r.notAfterMs(), r.nowMs());
            }
            return FlockStore.EnrollOutcome.ENROLLED;
        });
    }

    void addCertificate(String deviceId, String fingerprint, long notAfterMs, long issuedMs) {
        sql.transaction(() -> {
            insertCertificate(deviceId, fingerprint, notAfterMs, issuedMs);
            return null;
        });
    }

    private void insertCertificate(String deviceId, String fingerprint, long notAfterMs, long issuedMs) throws java.sql.SQLException {
        sql.updateOrThrow("INSERT INTO device_certificates(fingerprint, device_id, not_after_ms, issued_ms, revoked) VALUES (?,?,?,?,FALSE)",
                fingerprint, deviceId, notAfterMs, issuedMs);
    }

    boolean admitted(String deviceId, String fingerprint, long nowMs) {
        return !sql.query("SELECT 1 FROM device_certificates c JOIN devices d ON d.device_id = c.device_id WHERE c.fingerprint = ?"
                + " AND c.device_id = ? AND NOT c.revoked AND c.not_after_ms > ? AND d.enrolled AND NOT d.revoked", rs -> 1, fingerprint,
                deviceId, nowMs).isEmpty();
    }

    Optional<DeviceIdentityRow> identity(String deviceId) {
        return sql.query("SELECT device_id, enrolled, gateway, revoked FROM devices WHERE device_id = ?",
                rs -> new DeviceIdentityRow(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getBoolean(4)), deviceId).stream().findFirst();
    }

    int revoke(String deviceId) {
        return sql.transaction(() -> {
            if (sql.updateOrThrow("UPDATE devices SET revoked = TRUE WHERE device_id = ?", deviceId) == 0) {
                return -1;
            }
            return sql.updateOrThrow("UPDATE device_certificates SET revoked = TRUE WHERE device_id = ? AND NOT revoked", deviceId);
        });
    }
}
