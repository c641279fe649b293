package io.flock.core.compress;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Magnitude pruning: zeroes the smallest-magnitude weights of every tensor of rank >= 2 (biases stay dense).
 * {@link Scope#GLOBAL} ranks all weights of the model together, so layers with many small weights lose more;
 * {@link Scope#PER_LAYER} gives each tensor the same sparsity. Exactly {@code floor(sparsity * n)} weights are
 * zeroed (ties broken by position, the earlier one kept), so the kept ones are exactly the top-k magnitudes.
 * The zeros are the mask: {@link #applyMask} keeps them zero after a federated round.
 */
public final class Pruning {
    /** Which weights compete for the kept places. */
    public enum Scope { GLOBAL, PER_LAYER }

    private Pruning() {
    }

    /**
     * @param sparsity the share of weights to zero, in [0, 1)
     * @return new parameters with the smallest weights set to 0; {@code params} is not changed
     */
    public static ModelParameters prune(ModelParameters params, double sparsity, Scope scope) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        }
        List<Tensor> out = new ArrayList<>();
        if (scope == Scope.PER_LAYER) {
            for (Tensor t : params.tensors()) {
                out.add(isWeight(t) ? new Tensor(t.name(), t.shape(), zeroSmallest(t.data().clone(), sparsity)) : copy(t));
            }
            return new ModelParameters(out);
        }
        int total = 0;
        for (Tensor t : params.tensors()) {
            total += isWeight(t) ? t.size() : 0;
        }
        float[] all = new float[total];
        int at = 0;
        for (Tensor t : params.tensors()) {
            if (isWeight(t)) {
                System.arraycopy(t.data(), 0, all, at, t.size());
                at += t.size();
            }
        }
        zeroSmallest(all, sparsity);
        at = 0;
        for (Tensor t : params.tensors()) {
            if (isWeight(t)) {
                out.add(new Tensor(t.name(), t.shape(), Arrays.copyOfRange(all, at, at + t.size())));
                at += t.size();
            } else {
                out.add(copy(t));
            }
        }
        return new ModelParameters(out);
    }

    /**
     * Keeps a pruned model's mask through training: wherever {@code mask} holds a zero weight, {@code params}
     * gets a zero too (in place). Tensors of rank 1 are left alone.
     *
     * @return how many weights were reset to zero
     */
    public static int applyMask(ModelParameters params, ModelParameters mask) {
        int reset = 0;
        for (int i = 0; i < params.tensors().size(); i++) {
            Tensor t = params.tensors().get(i);
            Tensor m = mask.tensors().get(i);
            if (!t.sameLayout(m)) {
                throw new IllegalArgumentException("mask tensor " + m.name() + " does not match " + t.name());
            }
            if (isWeight(t)) {
                float[] x = t.data();
                float[] keep = m.data();
                for (int j = 0; j < x.length; j++) {
                    if (keep[j] == 0f && x[j] != 0f) {
                        x[j] = 0f;
                        reset++;
                    }
                }
            }
        }
        return reset;
    }

    /** @return the share of zero weights over the tensors of rank >= 2 */
    public static double sparsity(ModelParameters params) {
        long zeros = 0;
        long total = 0;
        for (Tensor t : params.tensors()) {
            if (isWeight(t)) {
                for (float v : t.data()) {
                    zeros += v == 0f ? 1 : 0;
                }
                total += t.size();
            }
        }
        return total == 0 ? 0 : (double) zeros / total;
    }

    static boolean isWeight(Tensor t) {
        return t.shape().length >= 2;
    }

    private static Tensor copy(Tensor t) {
        return new Tensor(t.name(), t.shape(), t.data().clone());
    }

    /** Zeroes the {@code floor(sparsity * n)} smallest magnitudes of {@code x} in place. */
    private static float[] zeroSmallest(float[] x, double sparsity) {
        int drop = (int) Math.floor(sparsity * x.length);
        if (drop == 0) {
            return x;
        }
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(Math.abs(x[a]), Math.abs(x[b]));
            return c != 0 ? c : Integer.compare(b, a); // of equal magnitudes, the later one goes first
        });
        for (int i = 0; i < drop; i++) {
            x[order[i]] = 0f;
        }
        return x;
    }
}
