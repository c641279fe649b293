package io.flock.coordinator.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/**
 * The SQL of fleet operations: {@code rollouts} (each staged rollout's state), {@code fleet_events} (rollout steps,
 * gate decisions, drift alarms, retraining triggers with their reasons), {@code drift_windows} (each window's
 * statistics against the reference) and {@code privacy_ledger} (each noised round's accounting). Not thread-safe: {@link JdbcFlockStore} serialises and makes writes durable.
 */
final class FleetTables {
    private static final String ROLLOUT_COLUMNS = "id, model, version, previous_version, stages, stage, status, stage_started_ms,"
            + " soak_ms, salt, labels, last_decision, started_ms";
    private static final String DRIFT_COLUMNS = "model, window_end_ms, cohort, statistic, psi, p_value, samples, alarm";
    private static final String PRIVACY_COLUMNS = "model, round, version, sampling_rate, noise_multiplier, clip_norm, delta, epsilon,"
            + " created_ms";
    private final Sql sql;

    FleetTables(Sql sql) {
        this.sql = sql;
    }

    long insertRollout(RolloutRow r) {
        return sql.transaction(() -> {
            sql.updateOrThrow("INSERT INTO rollouts(" + ROLLOUT_COLUMNS.substring("id, ".length()) + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    r.model(), r.version(), r.previousVersion(), r.stages(), r.stage(), r.status(), r.stageStartedMs(), r.soakMs(),
                    r.salt(), r.labels(), r.lastDecision(), r.startedMs());
            return sql.query("SELECT MAX(id) FROM rollouts WHERE model = ?", rs -> rs.getLong(1), r.model()).get(0);
        });
    }

    void updateRollout(RolloutRow r) {
        sql.update("UPDATE rollouts SET stage = ?, status = ?, stage_started_ms = ?, last_decision = ? WHERE id = ?", r.stage(), r.status(),
                r.stageStartedMs(), r.lastDecision(), r.id());
    }

    List<RolloutRow> latestRollout(String model) {
        return sql.query("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE model = ? ORDER BY id DESC LIMIT 1", FleetTables::rollout,
                model);
    }

    void saveEvent(FleetEventRow e) {
        sql.update("INSERT INTO fleet_events(model, kind, at_ms, detail) VALUES (?,?,?,?)", e.model(), e.kind(), e.atMs(), e.detail());
    }

    List<FleetEventRow> events(String model, int limit) {
        return sql.query("SELECT model, kind, at_ms, detail FROM fleet_events WHERE model = ? ORDER BY seq DESC LIMIT " + Math.max(1, limit),
                rs -> new FleetEventRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)), model);
    }

    void saveDrift(List<DriftRow> rows) {
        for (DriftRow d : rows) {
            sql.update("INSERT INTO drift_windows(" + DRIFT_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)", d.model(), d.windowEndMs(), d.cohort(),
                    d.statistic(), d.value(), d.pValue(), d.samples(), d.alarm());
        }
    }

    List<DriftRow> drift(String model, int limit) {
        List<DriftRow> newest = sql.query("SELECT " + DRIFT_COLUMNS + " FROM drift_windows WHERE model = ? ORDER BY seq DESC LIMIT "
                + Math.max(1, limit), rs -> new DriftRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getDouble(5), rs.getDouble(6), rs.getLong(7), rs.getBoolean(8)), model);
        Collections.reverse(newest);
        return newest;
    }

    List<RoundSummary> rounds(String model, int limit) {
        List<RoundSummary> newest = sql.query("SELECT r.round, r.status, r.opened_ms, r.selected, r.accepted, v.version, v.accuracy,"
                + " v.created_ms FROM rounds r LEFT JOIN model_versions v ON v.model = r.model AND v.round = r.round WHERE r.model = ?"
                + " ORDER BY r.round DESC LIMIT " + Math.max(1, limit), rs -> {
                    String selected = rs.getString(4);
                    long version = rs.getLong(6);
                    double accuracy = rs.getDouble(7);
                    boolean scored = !rs.wasNull();
                    return new RoundSummary(rs.getLong(1), rs.getString(2), rs.getLong(3), selected == null || selected.isEmpty() ? 0
                            : selected.split(",").length, rs.getInt(5), version, scored ? accuracy : Double.NaN, rs.getLong(8));
                }, model);
        Collections.reverse(newest);
        return newest;
    }

    void savePrivacy(PrivacyRow p) {
        sql.update("INSERT INTO privacy_ledger(" + PRIVACY_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?)", p.model(), p.round(), p.version(),
                p.samplingRate(), p.noiseMultiplier(), p.clipNorm(), p.delta(), p.epsilon(), p.createdMs());
    }

    List<PrivacyRow> privacyLedger(String model) {
        return sql.query("SELECT " + PRIVACY_COLUMNS + " FROM privacy_ledger WHERE model = ? ORDER BY round", rs -> new PrivacyRow(
                rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4), rs.getDouble(5), rs.getDouble(6), rs.getDouble(7),
                rs.getDouble(8), rs.getLong(9)), model);
    }

    int pruneDrift(long beforeMs) {
        return sql.update("DELETE FROM drift_windows WHERE window_end_ms < ?", beforeMs);
    }

    private static RolloutRow rollout(ResultSet rs) throws SQLException {
        return new RolloutRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getInt(6), rs.getString(7),
                rs.getLong(8), rs.getLong(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getLong(13));
    }
}
