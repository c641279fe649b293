package io.flock.coordinator.store;

/**
 * The SQL that keeps an update and the close of its round apart between replicas (PostgreSQL only). An update is
 * inserted only if its round's row is OPEN and not sealed, and the check takes a share lock on that row; sealing updates
 * the row, so it waits for inserts that hold the share lock to commit, and an insert waiting behind a seal re-reads the
 * row (READ COMMITTED re-checks a locked row's condition) and inserts nothing. An update of a round without a row in
 * {@code rounds} (an engine that keeps no round rows) is inserted as before.
 */
final class RoundSeal {
    static final String UPDATE_COLUMNS = "device_id, idempotency_key, model, round, base_version, num_examples, codec, payload,"
            + " received_ms, payload_sha256";
    static final String INSERT_WHILE_OPEN = "INSERT INTO client_updates(" + UPDATE_COLUMNS + ") SELECT ?,?,?,?,?,?,?,?,?,?"
            + " WHERE EXISTS (SELECT 1 FROM rounds WHERE model = ? AND round = ? AND status = 'OPEN' AND NOT sealed FOR SHARE)"
            + " OR NOT EXISTS (SELECT 1 FROM rounds WHERE model = ? AND round = ?)";

    private RoundSeal() {
    }

    /** @return the insert's values followed by the round's key for its two conditions */
    static Object[] whileOpen(Object[] values, String model, long round) {
        Object[] args = new Object[values.length + 4];
        System.arraycopy(values, 0, args, 0, values.length);
        args[values.length] = model;
        args[values.length + 1] = round;
        args[values.length + 2] = model;
        args[values.length + 3] = round;
        return args;
    }
}
