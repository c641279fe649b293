package io.flock.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.core.InvalidInputException;

/**
 * A v2 tensor's JSON {@code data}, flat or nested in row-major order, read as rows of FP32 features: the values are
 * counted against the shape first, then each is checked against its datatype and for finiteness.
 */
final class TensorData {
    private TensorData() {
    }

    /**
     * @param data     the {@code data} value
     * @param type     the tensor's datatype
     * @param rows     N from the shape, >= 1
     * @param features F from the shape, the model's feature count
     * @param where    names the input in messages
     * @return N rows of F finite features
     * @throws InvalidInputException for data that is not an array, a count other than N x F, a value that is not a
     *                               number, not of the datatype, or not finite as FP32; naming its row and feature
     */
    static float[][] rows(JsonNode data, Datatype type, int rows, int features, String where) {
        if (!data.isArray()) {
            throw new InvalidInputException(where + ": data must be an array (flat or nested), got " + InferRequest.kind(data));
        }
        long count = count(data);
        long expected = (long) rows * features;
        if (count != expected) {
            throw new InvalidInputException(where + ": shape [" + rows + ", " + features + "] needs " + expected + " values, data has "
                    + count);
        }
        float[][] out = new float[rows][features];
        fill(data, type, out, new int[1], where);
        return out;
    }

    private static long count(JsonNode n) {
        if (!n.isArray()) {
            return 1;
        }
        long c = 0;
        for (JsonNode child : n) {
            c += count(child);
        }
        return c;
    }

    private static void fill(JsonNode n, Datatype type, float[][] out, int[] next, String where) {
        if (n.isArray()) {
            for (JsonNode child : n) {
                fill(child, type, out, next, where);
            }
            return;
        }
        int features = out[0].length;
        int i = next[0]++;
        String at = where + ": row " + i / features + " feature " + i % features + " is ";
        if (!n.isNumber()) {
            throw new InvalidInputException(at + FieldLimits.echo(n.toString()) + ", not a number");
        }
        double v = n.doubleValue();
        String wrong = type.reject(v);
        if (wrong != null) {
            throw new InvalidInputException(at + FieldLimits.echo(n.asText()) + ": " + wrong);
        }
        float x = (float) v;
        if (!Float.isFinite(x)) {
            throw new InvalidInputException(at + FieldLimits.echo(n.asText()) + "; features must be finite FP32 values");
        }
        out[i / features][i % features] = x;
    }
}
