package io.flock.core.onnx;

import io.flock.core.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/** The tensor shapes a spec's parameters have, in block order: what the exporter maps to ONNX initialisers. */
final class OnnxLayout {
    private static final int KERNEL = 5;

    private OnnxLayout() {
    }

    /** @return per tensor, its shape: weights [out][in] (factorised: V [rank][in] then U [out][rank]), biases [out] */
    static List<int[]> shapes(ModelSpec spec) {
        List<Integer> w = spec.layers();
        List<int[]> out = new ArrayList<>();
        if (spec.kind() == ModelSpec.Kind.MLP) {
            for (int l = 1; l < w.size(); l++) {
                int rank = spec.rank(l);
                if (rank > 0) {
                    out.add(new int[] {rank, w.get(l - 1)});
                    out.add(new int[] {w.get(l), rank});
                } else {
                    out.add(new int[] {w.get(l), w.get(l - 1)});
                }
                out.add(new int[] {w.get(l)});
            }
            return out;
        }
        int side = w.get(0);
        out.add(new int[] {w.get(1), 1, KERNEL, KERNEL});
        out.add(new int[] {w.get(1)});
        out.add(new int[] {w.get(2), w.get(1), KERNEL, KERNEL});
        out.add(new int[] {w.get(2)});
        int pooled = side / 4;
        out.add(new int[] {w.get(3), w.get(2) * pooled * pooled});
        out.add(new int[] {w.get(3)});
        out.add(new int[] {w.get(4), w.get(3)});
        out.add(new int[] {w.get(4)});
        return out;
    }
}
