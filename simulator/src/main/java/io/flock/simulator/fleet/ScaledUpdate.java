package io.flock.simulator.fleet;

import io.flock.agent.training.UpdateTamper;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Uploads {@code factor * delta}: a scaled update (model replacement) for a factor above 1, sign flipping for a negative
 * one. Test-only, through {@link UpdateTamper}.
 */
final class ScaledUpdate implements UpdateTamper {
    private final float factor;
    private final String name;

    /**
     * @param factor what every value of the update is multiplied by
     * @param name   how logs name the attack
     */
    ScaledUpdate(float factor, String name) {
        this.factor = factor;
        this.name = name;
    }

    @Override
    public ModelParameters update(ModelParameters delta, long round) {
        List<Tensor> out = new ArrayList<>(delta.tensors().size());
        for (Tensor t : delta.tensors()) {
            float[] d = t.data();
            float[] r = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                r[j] = factor * d[j];
            }
            out.add(new Tensor(t.name(), t.shape(), r));
        }
        return new ModelParameters(out);
    }

    @Override
    public String toString() {
        return name + " (update x " + factor + ")";
    }
}
