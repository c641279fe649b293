package io.flock.core.model;

import io.flock.core.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What network to build, as a short string carried in announcements and configs.
 * <ul>
 *   <li>{@code mlp:784-200-200-10}: inputs, hidden widths, classes; ReLU between layers.</li>
 *   <li>{@code cnn:28x28-16-32-128-10}: square single-channel image side, two 5x5 conv layers
 *       (filters, each followed by ReLU and 2x2 max-pool), one dense hidden layer, classes.</li>
 * </ul>
 *
 * @param kind   network family
 * @param layers widths as parsed (for CNN: side, filters1, filters2, dense, classes)
 */
public record ModelSpec(Kind kind, List<Integer> layers) {
    /** Network families. */
    public enum Kind { MLP, CNN }

    /** Validates layer counts and widths. */
    public ModelSpec {
        layers = List.copyOf(layers);
        int min = kind == Kind.MLP ? 2 : 5;
        if (layers.size() < min || (kind == Kind.CNN && layers.size() != 5)) {
            throw new InvalidInputException("model spec " + kind.name().toLowerCase() + " needs "
                    + (kind == Kind.MLP ? "at least 2" : "exactly 5") + " sizes, got " + layers);
        }
        for (int w : layers) {
            if (w <= 0) {
                throw new InvalidInputException("model spec sizes must be positive, got " + layers);
            }
        }
    }

    /**
     * @param text e.g. "mlp:784-200-200-10" or "cnn:28x28-16-32-128-10"
     * @throws InvalidInputException naming the text when it does not parse
     */
    public static ModelSpec parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new InvalidInputException("model spec '" + text + "' should look like mlp:784-200-10 or cnn:28x28-16-32-128-10");
        }
        try {
            Kind kind = Kind.valueOf(text.substring(0, colon).trim().toUpperCase());
            String body = text.substring(colon + 1).trim();
            if (kind == Kind.CNN) {
                String[] parts = body.split("-", 2);
                String[] side = parts[0].split("x");
                if (side.length != 2 || !side[0].equals(side[1]) || parts.length < 2) {
                    throw new InvalidInputException("cnn spec '" + text + "' needs a square input like 28x28");
                }
                body = side[0] + "-" + parts[1];
            }
            List<Integer> sizes = Arrays.stream(body.split("-")).map(String::trim).map(Integer::parseInt).toList();
            return new ModelSpec(kind, sizes);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("model spec '" + text + "' does not parse: " + e.getMessage());
        }
    }

    /** @return number of input features (flattened) */
    public int inputSize() {
        return kind == Kind.MLP ? layers.get(0) : layers.get(0) * layers.get(0);
    }

    /** @return number of output classes */
    public int classes() {
        return layers.get(layers.size() - 1);
    }

    @Override
    public String toString() {
        if (kind == Kind.CNN) {
            return "cnn:" + layers.get(0) + "x" + layers.get(0) + "-"
                    + layers.subList(1, layers.size()).stream().map(String::valueOf).collect(Collectors.joining("-"));
        }
        return "mlp:" + layers.stream().map(String::valueOf).collect(Collectors.joining("-"));
    }
}
