package io.flock.coordinator.privacy;

import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.Aggregator;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.coordinator.strategy.WeightedMean;
import io.flock.core.privacy.GaussianNoise;
import io.flock.core.privacy.L2Clip;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Central differential privacy around FedAvg's mean (McMahan et al. 2018): each update is clipped to L2 norm C here
 * (again: a device that sends an update over C, lying about its clipping, is clipped rather than refused: the
 * sensitivity bound holds either way, and an honest device's float rounding over C costs it nothing), the clipped
 * updates are averaged with equal weights (an example count would widen the sensitivity), and the mean gets Gaussian
 * noise of standard deviation z·C/n for n updates (z·C on their sum). Not thread-safe, like every aggregator.
 */
public final class CentralDp implements Aggregator {
    private static final Logger log = LoggerFactory.getLogger(CentralDp.class);
    /** Norms over C by more than this share are a device's lie, not float rounding. */
    private static final double LIE_MARGIN = 1e-3;
    private final WeightedMean mean;
    private final double clipNorm;
    private final double noiseMultiplier;
    private final L2Clip clip;
    private final GaussianNoise noise;
    private int reclipped;
    private final List<Double> norms = new ArrayList<>();

    /**
     * @param layout          the model's layout
     * @param clipNorm        C, > 0
     * @param noiseMultiplier z, >= 0
     * @param random          the noise's source (a cryptographically strong one outside tests)
     */
    public CentralDp(ModelParameters layout, double clipNorm, double noiseMultiplier, RandomGenerator random) {
        this.mean = new WeightedMean(layout);
        this.clipNorm = clipNorm;
        this.noiseMultiplier = noiseMultiplier;
        this.clip = new L2Clip(clipNorm);
        this.noise = new GaussianNoise(random);
    }

    @Override
    public void add(ClientUpdate u) {
        L2Clip.Clipped c = clip.clip(u.delta());
        norms.add(c.norm());
        if (c.norm() > clipNorm * (1 + LIE_MARGIN)) {
            reclipped++;
            log.warn("device={} sent an update of L2 norm {} over the clip norm {}: clipped again", u.deviceId(),
                    String.format("%.4f", c.norm()), clipNorm);
        }
        mean.add(new ClientUpdate(u.deviceId(), u.baseVersion(), c.parameters(), 1.0, u.contributors(), u.staleness()));
    }

    @Override
    public int count() {
        return mean.count();
    }

    @Override
    public AggregatedUpdate result() {
        AggregatedUpdate m = mean.result();
        double[] sorted = norms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        long over = norms.stream().filter(n -> n > clipNorm).count();
        log.info("central DP: {} updates, L2 norms median {} (max {}), {} at or over C={} (clipped), {} lied (clipped again); noise std {}"
                + " on the mean", count(), String.format("%.4f", sorted[sorted.length / 2]), String.format("%.4f", sorted[sorted.length - 1]),
                over, clipNorm, reclipped, String.format("%.5f", noiseMultiplier * clipNorm / count()));
        return new AggregatedUpdate(noised(m.delta(), count()), m.totalWeight(), m.contributors());
    }

    /** @return the mean of {@code n} clipped updates with the mechanism's noise, z·C/n per coordinate */
    public ModelParameters noised(ModelParameters meanOfClipped, int n) {
        return noise.add(meanOfClipped, noiseMultiplier * clipNorm / n);
    }

    /** @return updates that arrived over the clip norm and were clipped again */
    public int reclipped() {
        return reclipped;
    }

    @Override
    public String toString() {
        return "central-dp(C=" + clipNorm + ", z=" + noiseMultiplier + ")";
    }
}
