package io.flock.core.tensor;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered, immutable list of named tensors: the parameters of a model, or an update to them.
 * Order matters and is the order of the model's blocks.
 */
public final class ModelParameters {
    private final List<Tensor> tensors;

    /** @param tensors the tensors in model order; names must be unique */
    public ModelParameters(List<Tensor> tensors) {
        this.tensors = List.copyOf(tensors);
        long distinct = this.tensors.stream().map(Tensor::name).distinct().count();
        if (distinct != this.tensors.size()) {
            throw new InvalidInputException("parameter names must be unique: " + this.tensors);
        }
    }

    /** @return the tensors in model order (unmodifiable) */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** @return total number of float values over all tensors */
    public long totalSize() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.size();
        }
        return n;
    }

    /**
     * Checks that {@code other} has the same names and shapes in the same order.
     *
     * @throws InvalidInputException naming the first difference
     */
    public void requireSameLayout(ModelParameters other) {
        if (other.tensors.size() != tensors.size()) {
            throw new InvalidInputException("expected " + tensors.size() + " tensors " + tensors
                    + " but got " + other.tensors.size() + " " + other.tensors);
        }
        for (int i = 0; i < tensors.size(); i++) {
            if (!tensors.get(i).sameLayout(other.tensors.get(i))) {
                throw new InvalidInputException("tensor " + i + " should be " + tensors.get(i)
                        + " but is " + other.tensors.get(i));
            }
        }
    }

    /** @throws InvalidInputException naming the tensor and index of the first NaN or infinite value */
    public void requireFinite() {
        for (Tensor t : tensors) {
            int bad = t.firstNonFinite();
            if (bad >= 0) {
                throw new InvalidInputException("tensor " + t.name() + " has non-finite value " + t.data()[bad]
                        + " at index " + bad);
            }
        }
    }

    /** @return this + scale * other, element-wise; layouts must match */
    public ModelParameters plusScaled(ModelParameters other, float scale) {
        requireSameLayout(other);
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor a = tensors.get(i);
            float[] b = other.tensors.get(i).data();
            float[] r = new float[a.size()];
            float[] ad = a.data();
            for (int j = 0; j < r.length; j++) {
                r[j] = ad[j] + scale * b[j];
            }
            out.add(new Tensor(a.name(), a.shape(), r));
        }
        return new ModelParameters(out);
    }

    /** @return this - other, element-wise; layouts must match */
    public ModelParameters minus(ModelParameters other) {
        return plusScaled(other, -1f);
    }

    @Override
    public String toString() {
        return "ModelParameters" + tensors;
    }
}
