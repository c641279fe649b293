package io.flock.coordinator.privacy;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.PrivacyRow;
import io.flock.core.privacy.RdpAccountant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's privacy budget: a Rényi DP accountant over its noised rounds, rebuilt from the store's ledger at start-up
 * so ε survives a restart. Before a round opens, {@link #requireBudget} refuses a round that would take ε past
 * {@code privacy.max-epsilon}; after a round publishes a version, {@link #record} composes it and stores the row. Only
 * published rounds are composed: a failed round released nothing. Thread-safe.
 */
public final class PrivacyLedger {
    private static final Logger log = LoggerFactory.getLogger(PrivacyLedger.class);
    private final String model;
    private final PrivacyConfig config;
    private final double clipNorm;
    private final FlockStore store;
    private final RdpAccountant accountant = new RdpAccountant();
    private final List<PrivacyRow> rows = new CopyOnWriteArrayList<>();
    private volatile String stopped;

    /**
     * @param model    the model whose rounds it accounts
     * @param config   the privacy keys
     * @param clipNorm C, training.clip-norm
     * @param store    where the ledger is kept
     */
    public PrivacyLedger(String model, PrivacyConfig config, double clipNorm, FlockStore store) {
        this.model = model;
        this.config = config;
        this.clipNorm = clipNorm;
        this.store = store;
        for (PrivacyRow r : store.privacyLedger(model)) {
            accountant.compose(r.samplingRate(), r.noiseMultiplier(), 1);
            rows.add(r);
        }
        if (!rows.isEmpty()) {
            log.info("model={} privacy ledger: {} noised rounds, epsilon={} at delta={}", model, rows.size(), format(epsilon()), config.delta());
        }
    }

    /** @return whether rounds are noised and accounted */
    public boolean enabled() {
        return config.enabled();
    }

    /** @return the sampling rate the accountant composes for a round asking {@code selected} of {@code available} devices */
    public double samplingRate(int selected, int available) {
        return config.mode() == PrivacyConfig.Mode.LOCAL ? 1.0 : Math.min(1.0, (double) selected / Math.max(1, available));
    }

    /**
     * @param samplingRate q of the round about to open
     * @throws PrivacyBudgetSpentException when the round would take ε past the budget; the reason stays as {@link #status()}
     */
    public void requireBudget(double samplingRate) {
        if (!config.enabled() || config.maxEpsilon() == 0) {
            return;
        }
        double next = accountant.epsilonAfter(samplingRate, config.noiseMultiplier(), 1, config.delta());
        if (next > config.maxEpsilon()) {
            String reason = "privacy budget spent: epsilon=" + format(epsilon()) + " of privacy.max-epsilon=" + config.maxEpsilon()
                    + " at delta=" + config.delta() + " after " + rows.size() + " noised rounds; the next round (q=" + format(samplingRate)
                    + ", z=" + config.noiseMultiplier() + ") would reach " + format(next);
            stopped = reason;
            throw new PrivacyBudgetSpentException(reason);
        }
    }

    /**
     * Composes a published round and stores it.
     *
     * @return the ledger row, with ε after the round
     */
    public synchronized PrivacyRow record(long round, long version, double samplingRate) {
        accountant.compose(samplingRate, config.noiseMultiplier(), 1);
        PrivacyRow row = new PrivacyRow(model, round, version, samplingRate, config.noiseMultiplier(), clipNorm, config.delta(),
                accountant.epsilon(config.delta()), System.currentTimeMillis());
        store.savePrivacy(row);
        rows.add(row);
        log.info("round={} privacy: epsilon={} at delta={} after {} noised rounds (q={}, z={}, C={}, mode={})", round, format(row.epsilon()),
                row.delta(), rows.size(), format(samplingRate), row.noiseMultiplier(), row.clipNorm(), config.mode().name().toLowerCase());
        return row;
    }

    /** @return ε spent so far at the configured δ (0 before the first noised round) */
    public double epsilon() {
        return accountant.epsilon(config.delta());
    }

    /** @return the row of the round that produced the version, empty when it was not noised */
    public Optional<PrivacyRow> forVersion(long version) {
        return rows.stream().filter(r -> r.version() == version).findFirst();
    }

    /** @return the newest row, empty before the first noised round */
    public Optional<PrivacyRow> latest() {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(rows.size() - 1));
    }

    /** @return noised rounds composed up to and including round {@code round} */
    public long noisedRounds(long round) {
        return rows.stream().filter(r -> r.round() <= round).count();
    }

    /** @return the keys it accounts with */
    public PrivacyConfig config() {
        return config;
    }

    /** @return why training stopped for the budget, empty while it has not */
    public Optional<String> stopped() {
        return Optional.ofNullable(stopped);
    }

    private static String format(double v) {
        return String.format("%.3f", v);
    }
}
