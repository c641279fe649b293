package io.flock.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/** The ONNX operators Flock's networks need that Tribuo's {@code ONNXOperators} does not list, at opset 13. */
enum OnnxOps implements ONNXOperator {
    RELU("Relu", 1, Map.of()),
    RESHAPE("Reshape", 2, Map.of()),
    FLATTEN("Flatten", 1, Map.of("axis", new ONNXAttribute("axis", AttributeType.INT, false))),
    CONV("Conv", 3, Map.of("kernel_shape", new ONNXAttribute("kernel_shape", AttributeType.INTS, false),
            "pads", new ONNXAttribute("pads", AttributeType.INTS, false))),
    MAX_POOL("MaxPool", 1, Map.of("kernel_shape", new ONNXAttribute("kernel_shape", AttributeType.INTS, true),
            "strides", new ONNXAttribute("strides", AttributeType.INTS, false)));

    private final String opName;
    private final int inputs;
    private final Map<String, ONNXAttribute> attributes;

    OnnxOps(String opName, int inputs, Map<String, ONNXAttribute> attributes) {
        this.opName = opName;
        this.inputs = inputs;
        this.attributes = attributes;
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return inputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return 0;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return attributes.values().stream().filter(ONNXAttribute::isMandatory).map(ONNXAttribute::getName)
                .collect(java.util.stream.Collectors.toSet());
    }

    @Override
    public int getOpVersion() {
        return 13;
    }

    @Override
    public String getOpDomain() {
        return null;
    }
}
