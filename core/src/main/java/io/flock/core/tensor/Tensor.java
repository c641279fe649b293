package io.flock.core.tensor;

import io.flock.core.InvalidInputException;
import java.util.Arrays;

/**
 * A named dense float32 tensor in row-major order. The data array is owned by the tensor:
 * callers must not mutate it after construction (it is not copied, for speed).
 *
 * @param name  parameter name, unique within a {@link ModelParameters}
 * @param shape dimensions, each >= 1; empty for a scalar
 * @param data  values, length = product of shape
 */
public record Tensor(String name, int[] shape, float[] data) {
    /** Validates that the data length matches the shape. */
    public Tensor {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("tensor name must not be empty");
        }
        long expected = elementCount(shape);
        if (expected != data.length) {
            throw new InvalidInputException("tensor " + name + " has shape " + Arrays.toString(shape)
                    + " (" + expected + " values) but " + data.length + " values");
        }
    }

    /** @return number of elements of a tensor of this shape; rejects negative or zero dimensions */
    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new InvalidInputException("tensor dimension must be positive, got " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** @return number of elements */
    public int size() {
        return data.length;
    }

    /** @return true when both tensors have the same name and shape */
    public boolean sameLayout(Tensor other) {
        return name.equals(other.name) && Arrays.equals(shape, other.shape);
    }

    /** @return index of the first NaN or infinite value, or -1 when all values are finite */
    public int firstNonFinite() {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
