package io.flock.coordinator.http;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A v2 inference request body: one input tensor of N rows of raw features, as
 * {@code {"id": "...", "inputs": [{"name": "...", "shape": [N, F], "datatype": "FP32", "data": [...]}], "outputs": [...]}},
 * its data flat or nested in row-major order. The input's name is not checked (the model has one input);
 * {@code parameters} are ignored.
 *
 * @param id      the request's id, echoed in the answer; null when it has none
 * @param rows    N >= 1 rows, each of the model's F features, all finite
 * @param outputs the outputs asked for, in {@link #OUTPUTS} order; all of them when the request names none
 */
record InferRequest(String id, float[][] rows, List<String> outputs) {
    /** The model's one input. */
    static final String INPUT = "features";
    /** The model's outputs: class probabilities (FP32 [N, classes]) and the most probable class (INT64 [N]). */
    static final List<String> OUTPUTS = List.of("probabilities", "label");
    private static final int MAX_ID = 256;
    /** What Jackson writes where a message would quote the body: nothing a client needs. */
    private static final String REDACTED = "Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ";
    private static final ObjectReader READER = JsonMapper.builder(JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // NaN as Python writes it: refused below by name, not as bad JSON
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .errorReportConfiguration(ErrorReportConfiguration.builder().maxErrorTokenLength(64).maxRawContentLength(64).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build().reader();

    /**
     * @param body     the request body
     * @param features F, the features per row the model takes
     * @throws InvalidInputException naming what was wrong and where, echoing at most 64 characters of the body
     */
    static InferRequest parse(InputStream body, int features) {
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidInputException("malformed JSON: " + e.getOriginalMessage().replace(REDACTED, "")
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidInputException("the body is empty; expected a JSON object with \"inputs\"");
        }
        if (!root.isObject()) {
            throw new InvalidInputException("the body must be a JSON object, got " + kind(root));
        }
        String id = null;
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual()) {
                throw new InvalidInputException("id must be a string, got " + kind(idNode));
            }
            id = FieldLimits.require("id", idNode.textValue(), MAX_ID);
        }
        JsonNode inputs = required(root, "inputs", "");
        if (!inputs.isArray() || inputs.size() != 1 || !inputs.get(0).isObject()) {
            throw new InvalidInputException("inputs must be an array of one tensor object (the model takes one input, \"" + INPUT
                    + "\"), got " + (inputs.isArray() ? inputs.size() + " element(s)" : kind(inputs)));
        }
        JsonNode input = inputs.get(0);
        String where = "input '" + FieldLimits.echo(text(input, "name", "inputs[0].")) + "'";
        String typeName = text(input, "datatype", "inputs[0].");
        Datatype type = Datatype.named(typeName);
        if (type == null) {
            throw new InvalidInputException(where + ": datatype '" + FieldLimits.echo(typeName) + "' is not supported; use one of "
                    + Datatype.names());
        }
        long rows = rows(required(input, "shape", "inputs[0]."), features, where);
        float[][] out = TensorData.rows(required(input, "data", "inputs[0]."), type, (int) rows, features, where);
        return new InferRequest(id, out, outputs(root.get("outputs")));
    }

    /** @return N, from a shape that must be [N, features] with N >= 1 */
    private static long rows(JsonNode shape, int features, String where) {
        String text = FieldLimits.echo(shape.toString());
        if (!shape.isArray() || shape.size() != 2 || !dimension(shape.get(0)) || !dimension(shape.get(1))) {
            throw new InvalidInputException(where + ": shape must be [N, " + features + "], got " + text);
        }
        if (shape.get(1).longValue() != features) {
            throw new InvalidInputException(where + ": wrong feature count: shape " + text + " has " + shape.get(1).longValue()
                    + " features per row; the model takes " + features);
        }
        long n = shape.get(0).longValue();
        if (n == 0) {
            throw new InvalidInputException(where + ": empty batch: shape " + text + " has no rows");
        }
        if (n > Integer.MAX_VALUE / features) {
            throw new InvalidInputException(where + ": shape " + text + " has more rows than a request can carry");
        }
        return n;
    }

    private static boolean dimension(JsonNode d) {
        return d.isIntegralNumber() && d.canConvertToLong() && d.longValue() >= 0;
    }

    private static List<String> outputs(JsonNode outputs) {
        if (outputs == null || outputs.isNull()) {
            return OUTPUTS;
        }
        if (!outputs.isArray()) {
            throw new InvalidInputException("outputs must be an array, got " + kind(outputs));
        }
        Set<String> asked = new HashSet<>();
        for (JsonNode o : outputs) {
            String name = o.isObject() ? text(o, "name", "outputs[].") : null;
            if (!OUTPUTS.contains(name)) {
                throw new InvalidInputException("unknown output " + FieldLimits.echo(name == null ? o.toString() : "'" + name + "'")
                        + "; the model has " + String.join(" and ", OUTPUTS));
            }
            asked.add(name);
        }
        return asked.isEmpty() ? OUTPUTS : OUTPUTS.stream().filter(asked::contains).toList();
    }

    private static JsonNode required(JsonNode object, String field, String prefix) {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException("missing field '" + prefix + field + "'");
        }
        return v;
    }

    private static String text(JsonNode object, String field, String prefix) {
        JsonNode v = required(object, field, prefix);
        if (!v.isTextual()) {
            throw new InvalidInputException(prefix + field + " must be a string, got " + kind(v));
        }
        return v.textValue();
    }

    /** @return a JSON value's kind for a message ("a number", "an array"), never the value itself */
    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            default -> "null";
        };
    }
}
