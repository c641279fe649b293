package io.flock.core.model;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What network to build, as a short string carried in announcements and configs.
 * <ul>
 *   <li>{@code mlp:784-200-200-10}: inputs, hidden widths, classes; ReLU between layers. A width written
 *       {@code 200r32} means the weights into that layer are factorised at rank 32 (W = U.V, low-rank
 *       compression); such a model runs on {@link DenseMlp} (devices), not in training.</li>
 *   <li>{@code cnn:28x28-16-32-128-10}: square single-channel image side, two 5x5 conv layers
 *       (filters, each followed by ReLU and 2x2 max-pool), one dense hidden layer, classes.</li>
 * </ul>
 *
 * @param kind   network family
 * @param layers widths as parsed (for CNN: side, filters1, filters2, dense, classes)
 * @param ranks  for an MLP, the rank of the weights into each layer (0 = dense; the input's entry is 0); empty for
 *               a CNN and for a dense MLP built with the two-argument constructor
 */
public record ModelSpec(Kind kind, List<Integer> layers, List<Integer> ranks) {
    /** Network families. */
    public enum Kind { MLP, CNN }

    /** A network with every layer dense. */
    public ModelSpec(Kind kind, List<Integer> layers) {
        this(kind, layers, List.of());
    }

    /** Validates layer counts, widths and ranks. */
    public ModelSpec {
        layers = List.copyOf(layers);
        ranks = ranks.stream().allMatch(r -> r == 0) ? List.of() : List.copyOf(ranks);
        if (!ranks.isEmpty()) {
            if (kind != Kind.MLP || ranks.size() != layers.size() || ranks.get(0) != 0) {
                throw new InvalidInputException("only the layers of an MLP after its input can be factorised, got ranks " + ranks);
            }
            for (int l = 1; l < layers.size(); l++) {
                int r = ranks.get(l);
                int most = Math.min(layers.get(l - 1), layers.get(l));
                if (r < 0 || r > most) {
                    throw new InvalidInputException("rank " + r + " of layer " + l + " is outside 0.." + most + " (a " + layers.get(l) + "x"
                            + layers.get(l - 1) + " layer)");
                }
            }
        }
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
            List<Integer> sizes = new ArrayList<>();
            List<Integer> ranks = new ArrayList<>();
            for (String part : body.split("-")) {
                String[] wr = part.trim().split("r", -1);
                if (wr.length > 2 || (wr.length == 2 && kind != Kind.MLP)) {
                    throw new InvalidInputException("model spec '" + text + "': '" + part + "' is not a width (or WIDTHrRANK in an MLP)");
                }
                sizes.add(Integer.parseInt(wr[0]));
                ranks.add(wr.length == 2 ? Integer.parseInt(wr[1]) : 0);
            }
            return new ModelSpec(kind, sizes, ranks);
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
        StringBuilder b = new StringBuilder("mlp:");
        for (int l = 0; l < layers.size(); l++) {
            b.append(l == 0 ? "" : "-").append(layers.get(l));
            if (rank(l) > 0) {
                b.append('r').append(rank(l));
            }
        }
        return b.toString();
    }

    /** @return the rank of the weights into layer {@code l}, 0 when they are dense */
    public int rank(int l) {
        return ranks.isEmpty() ? 0 : ranks.get(l);
    }

    /** @return whether any layer is factorised */
    public boolean factorised() {
        return !ranks.isEmpty();
    }

    /** @return the same network with every layer dense */
    public ModelSpec dense() {
        return new ModelSpec(kind, layers);
    }
}
