package io.flock.core.compress;

import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.codec.ParameterCodec;
import io.flock.core.codec.SparseCodec;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a model becomes an edge artifact: transforms (low-rank factorisation, pruning), then one encoding (fp32,
 * fp16, int8, int2..int7), written as steps separated by {@code +} or {@code ,}: {@code prune:0.9+int8},
 * {@code lowrank:e0.9+int8}, {@code prune:0.8:layer,int4,entropy}. The int encodings are always entropy coded, so {@code entropy} may be
 * written after one and is implied when it is not. A pruned model with an int encoding is stored sparse
 * ({@link SparseCodec}: a bitmap of kept positions, then only their codes). The canonical {@link #name()} names
 * every step and its settings; it is the artifact variant's name, which the signed manifest carries, and
 * {@link #parse} of it gives the same pipeline.
 *
 * <p>Steps: {@code prune:S} (magnitude pruning to sparsity S in [0, 1) over all weights of the model),
 * {@code prune:S:layer} (S in each weight tensor), {@code lowrank:R} and {@code lowrank:eF} ({@link LowRank}: rank R,
 * or the rank keeping a share F of each layer's energy; MLPs only, and it changes the spec), and the encodings.
 */
public final class CompressionPipeline {
    private static final Pattern PRUNE = Pattern.compile("prune:([^:]+)(?::(global|layer))?");
    private static final Pattern LOWRANK = Pattern.compile("lowrank:(e?)(.+)");
    private static final Pattern INT = Pattern.compile("int([2-8])");
    private static final String KNOWN = "prune:S[:global|layer], lowrank:R, lowrank:eF, fp32, fp16, int8, int2..int7, entropy";
    private final List<CompressionStep> steps;
    private final String encoding;
    private final ParameterCodec codec;
    private final String name;

    private CompressionPipeline(List<CompressionStep> steps, String encoding) {
        this.steps = List.copyOf(steps);
        this.encoding = encoding;
        Matcher bits = INT.matcher(encoding);
        boolean pruned = steps.stream().anyMatch(s -> s instanceof Prune);
        this.codec = pruned && bits.matches() ? new SparseCodec(Integer.parseInt(bits.group(1))) : Codecs.byName(encoding);
        List<String> names = new ArrayList<>();
        steps.forEach(s -> names.add(s.name()));
        names.add(encoding);
        this.name = String.join("+", names);
    }

    /**
     * @param text steps separated by {@code +} or {@code ,}; a bare codec name ({@code int8}) is a pipeline of one
     * @throws InvalidInputException naming the step for an unknown step, a sparsity outside [0, 1), a second
     *                               encoding, a transform after the encoding, or entropy after a float encoding
     */
    public static CompressionPipeline parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("empty compression pipeline; steps: " + KNOWN);
        }
        List<CompressionStep> steps = new ArrayList<>();
        String encoding = null;
        boolean entropy = false;
        for (String raw : text.split("[+,]")) {
            String step = raw.trim();
            if (entropy) {
                throw new InvalidInputException("compression step '" + step + "' after entropy: entropy is the last step");
            }
            Matcher prune = PRUNE.matcher(step);
            Matcher lowrank = LOWRANK.matcher(step);
            if (lowrank.matches()) {
                if (encoding != null) {
                    throw new InvalidInputException("compression step '" + step + "' after the encoding " + encoding
                            + ": transforms come first");
                }
                steps.add(lowRank(step, lowrank.group(1).isEmpty(), lowrank.group(2)));
            } else if (prune.matches()) {
                if (encoding != null) {
                    throw new InvalidInputException("compression step '" + step + "' after the encoding " + encoding
                            + ": transforms come first");
                }
                steps.add(new Prune(sparsity(step, prune.group(1)), "layer".equals(prune.group(2)) ? Pruning.Scope.PER_LAYER
                        : Pruning.Scope.GLOBAL));
            } else if (step.equals("entropy")) {
                if (encoding == null || !INT.matcher(encoding).matches()) {
                    throw new InvalidInputException("compression step 'entropy' needs an int encoding before it (int8, int2..int7)"
                            + (encoding == null ? "" : ", not " + encoding));
                }
                entropy = true;
            } else if (isEncoding(step)) {
                if (encoding != null) {
                    throw new InvalidInputException("compression pipeline '" + text + "' has two encodings: " + encoding + " and " + step);
                }
                encoding = step;
            } else if (step.startsWith("distill")) {
                throw new InvalidInputException("compression step '" + step + "': distillation is not a transform of a trained model but"
                        + " how a student trains; name its teacher with distill.teacher (and distill.temperature, distill.alpha)");
            } else {
                throw new InvalidInputException("unknown compression step '" + step + "' in '" + text + "'; steps: " + KNOWN);
            }
        }
        return new CompressionPipeline(steps, encoding == null ? "fp32" : encoding);
    }

    private static LowRank lowRank(String step, boolean byRank, String value) {
        try {
            return byRank ? LowRank.ofRank(Integer.parseInt(value)) : LowRank.ofEnergy(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("compression step '" + step + "': '" + value + "' is not a " + (byRank ? "rank" : "share"));
        }
    }

    private static boolean isEncoding(String step) {
        return step.equals("fp32") || step.equals("fp16") || INT.matcher(step).matches();
    }

    private static double sparsity(String step, String value) {
        double s;
        try {
            s = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("compression step '" + step + "': sparsity '" + value + "' is not a number");
        }
        if (!(s >= 0 && s < 1)) {
            throw new InvalidInputException("compression step '" + step + "': sparsity " + value + " is outside [0, 1)");
        }
        return s;
    }

    /** @return the canonical name: every step with its settings, then the encoding, joined by {@code +} */
    public String name() {
        return name;
    }

    /** @return the value transforms, in order */
    public List<CompressionStep> steps() {
        return steps;
    }

    /** @return the codec that writes and reads this pipeline's artifacts */
    public ParameterCodec codec() {
        return codec;
    }

    /** @return whether any step prunes (so the model's zeros are a mask to keep) */
    public boolean prunes() {
        return steps.stream().anyMatch(s -> s instanceof Prune);
    }

    /** @return the sparsity the pruning step asks for, 0 when no step prunes */
    public double sparsity() {
        return steps.stream().filter(s -> s instanceof Prune).mapToDouble(s -> ((Prune) s).sparsity()).max().orElse(0);
    }

    /**
     * @param sparsity in [0, 1)
     * @return the same pipeline with its pruning step at another sparsity (for gradual pruning)
     * @throws IllegalStateException when no step prunes
     */
    public CompressionPipeline withSparsity(double sparsity) {
        if (!prunes()) {
            throw new IllegalStateException(name + " does not prune");
        }
        List<CompressionStep> changed = new ArrayList<>();
        for (CompressionStep s : steps) {
            changed.add(s instanceof Prune p ? new Prune(sparsity(p.name(), Double.toString(sparsity)), p.scope()) : s);
        }
        return new CompressionPipeline(changed, encoding);
    }

    /** @return whether a step factorises (so the artifact's spec differs from the trained model's) */
    public boolean factorises() {
        return steps.stream().anyMatch(s -> s instanceof LowRank);
    }

    /**
     * Checks every step against the model's spec, before any model exists.
     *
     * @throws InvalidInputException naming the step that cannot apply
     */
    public void check(ModelSpec spec) {
        steps.forEach(s -> s.check(spec));
    }

    /** @return the model after every transform, ready for {@link #codec()} */
    public Compressed transform(ModelSpec spec, ModelParameters parameters) {
        Compressed c = new Compressed(spec, parameters);
        for (CompressionStep s : steps) {
            c = s.apply(c);
        }
        return c;
    }

    /** @return the artifact: the transformed model, encoded, with the spec it needs */
    public Artifact encode(ModelSpec spec, ModelParameters parameters) {
        Compressed c = transform(spec, parameters);
        return new Artifact(c.spec(), codec.encode(c.parameters()));
    }

    /**
     * An encoded artifact.
     *
     * @param spec  the network its parameters fit (factorised by a low-rank step)
     * @param bytes the codec's bytes
     */
    public record Artifact(ModelSpec spec, byte[] bytes) {
    }

    @Override
    public String toString() {
        return name;
    }

    /** Magnitude pruning as a pipeline step. */
    private record Prune(double sparsity, Pruning.Scope scope) implements CompressionStep {
        @Override
        public String name() {
            return "prune:" + trim(sparsity) + (scope == Pruning.Scope.PER_LAYER ? ":layer" : "");
        }

        @Override
        public Compressed apply(Compressed model) {
            return new Compressed(model.spec(), Pruning.prune(model.parameters(), sparsity, scope));
        }
    }

    /** @return {@code v} without a trailing ".0" */
    static String trim(double v) {
        String s = Double.toString(v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
