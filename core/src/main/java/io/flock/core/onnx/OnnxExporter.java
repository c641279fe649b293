package io.flock.core.onnx;

import ai.onnx.proto.OnnxMl;
import io.flock.core.InvalidInputException;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Writes a Flock model as an ONNX file (opset 13, graphs built with Tribuo's ONNX writer): every form an agent
 * runs, the dense and factorised MLP (a factorised layer is two Gemm nodes, V then U) and the CNN (Conv, Relu,
 * MaxPool, Flatten, Gemm). The feature pipeline is part of the graph: input {@value #INPUT} takes raw features
 * {@code [batch, inputs]} (pixels 0..255), output {@value #OUTPUT} gives class probabilities {@code [batch, classes]},
 * as Flock's own models do. Pruned and quantised variants export as their decoded weights (zeros included).
 * Stateless and thread-safe.
 */
public final class OnnxExporter {
    /** Name of the graph input: raw features, before the feature pipeline. */
    public static final String INPUT = "features";
    /** Name of the graph output: class probabilities. */
    public static final String OUTPUT = "probabilities";
    private static final long IR_VERSION = 8;

    private OnnxExporter() {
    }

    /**
     * @param name a label stored as the graph's name (the model and version, say)
     * @return the serialised ModelProto
     * @throws InvalidInputException when the parameters do not have the spec's layout (names the first tensor that
     *                               differs), or the spec is a form this exporter cannot express; nothing is built then
     */
    public static byte[] export(ModelSpec spec, FeaturePipeline pipeline, ModelParameters parameters, String name) {
        requireLayout(spec, parameters);
        ONNXContext c = new ONNXContext();
        c.setName(name);
        ONNXPlaceholder input = c.floatInput(INPUT, spec.inputSize());
        ONNXPlaceholder output = c.floatOutput(OUTPUT, spec.classes());
        ONNXRef<?> x = input.apply(ONNXOperators.DIV, c.constant("divisor", pipeline.divisor()))
                .apply(ONNXOperators.SUB, c.constant("mean", pipeline.mean()))
                .apply(ONNXOperators.DIV, c.constant("std", pipeline.std()));
        List<Tensor> t = parameters.tensors();
        ONNXRef<?> logits = switch (spec.kind()) {
            case MLP -> mlp(c, spec, t, x);
            case CNN -> cnn(c, spec, t, x);
        };
        logits.apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
        return OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("flock").setGraph(c.buildGraph())
                .addOpsetImport(ONNXOperators.getOpsetProto()).build().toByteArray();
    }

    /**
     * Writes {@link #export} to {@code out} through a temporary file beside it, so a failure never leaves a partial
     * or wrong file at {@code out}.
     *
     * @return the bytes written
     */
    public static long write(ModelSpec spec, FeaturePipeline pipeline, ModelParameters parameters, String name, Path out)
            throws IOException {
        byte[] bytes = export(spec, pipeline, parameters, name);
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".export-", ".onnx");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return bytes.length;
    }

    private static ONNXRef<?> mlp(ONNXContext c, ModelSpec spec, List<Tensor> t, ONNXRef<?> x) {
        int at = 0;
        int layers = spec.layers().size() - 1;
        for (int l = 1; l <= layers; l++) {
            if (spec.rank(l) > 0) {
                x = gemm(c, x, t.get(at++), null);
            }
            x = gemm(c, x, t.get(at), t.get(at + 1));
            at += 2;
            if (l < layers) {
                x = x.apply(OnnxOps.RELU);
            }
        }
        return x;
    }

    private static ONNXRef<?> cnn(ONNXContext c, ModelSpec spec, List<Tensor> t, ONNXRef<?> x) {
        int side = spec.layers().get(0);
        x = c.operation(OnnxOps.RESHAPE, List.of(x, c.array("image_shape", new long[] {-1, 1, side, side})), "image");
        for (int k = 0; k < 2; k++) {
            x = c.operation(OnnxOps.CONV, List.of(x, initializer(c, t.get(2 * k)), initializer(c, t.get(2 * k + 1))), "conv",
                    Map.of("kernel_shape", new int[] {5, 5}, "pads", new int[] {2, 2, 2, 2}));
            x = x.apply(OnnxOps.RELU).apply(OnnxOps.MAX_POOL, Map.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}));
        }
        x = x.apply(OnnxOps.FLATTEN, Map.of("axis", 1));
        x = gemm(c, x, t.get(4), t.get(5)).apply(OnnxOps.RELU);
        return gemm(c, x, t.get(6), t.get(7));
    }

    /** @return x . W^T (+ b): W is [out][in] as DJL and Flock keep it */
    private static ONNXRef<?> gemm(ONNXContext c, ONNXRef<?> x, Tensor w, Tensor b) {
        List<ONNXRef<?>> in = new ArrayList<>(List.of(x, initializer(c, w)));
        if (b != null) {
            in.add(initializer(c, b));
        }
        return c.operation(ONNXOperators.GEMM, in, "gemm", Map.of("transB", 1));
    }

    private static ONNXInitializer initializer(ONNXContext c, Tensor t) {
        return c.floatTensor(t.name().isEmpty() ? "w" : t.name(), Arrays.stream(t.shape()).boxed().toList(), fb -> fb.put(t.data()));
    }

    /** @throws InvalidInputException naming the first tensor whose count or shape is not the spec's */
    static void requireLayout(ModelSpec spec, ModelParameters parameters) {
        List<int[]> expected = OnnxLayout.shapes(spec);
        List<Tensor> t = parameters.tensors();
        if (t.size() != expected.size()) {
            throw new InvalidInputException("cannot export " + spec + " to ONNX: it has " + expected.size() + " tensors, the parameters "
                    + t.size());
        }
        for (int i = 0; i < t.size(); i++) {
            if (!Arrays.equals(t.get(i).shape(), expected.get(i))) {
                throw new InvalidInputException("cannot export " + spec + " to ONNX: tensor " + i + " (" + t.get(i).name() + ") is "
                        + Arrays.toString(t.get(i).shape()) + ", the spec needs " + Arrays.toString(expected.get(i)));
            }
        }
    }
}
