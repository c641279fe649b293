package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InferRequestTest {
    private static InferRequest parse(String json, int features) {
        return InferRequest.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), features);
    }

    private static String body(String shape, String datatype, String data) {
        return "{\"inputs\": [{\"name\": \"x\", \"shape\": " + shape + ", \"datatype\": \"" + datatype + "\", \"data\": " + data + "}]}";
    }

    @Test
    void parse_flatAndNestedData_sameRowsInRowMajorOrder() {
        InferRequest flat = parse(body("[2, 3]", "FP32", "[1, 2, 3, 4, 5, 6.5]"), 3);
        InferRequest nested = parse(body("[2, 3]", "FP32", "[[1, 2, 3], [4, 5, 6.5]]"), 3);

        assertThat(flat.rows()).isDeepEqualTo(new float[][] {{1, 2, 3}, {4, 5, 6.5f}});
        assertThat(nested.rows()).isDeepEqualTo(flat.rows());
        assertThat(flat.id()).isNull();
        assertThat(flat.outputs()).containsExactly("probabilities", "label");
    }

    @Test
    void parse_integerDatatypesAndFp64_convertToFloat() {
        assertThat(parse(body("[1, 2]", "UINT8", "[0, 255]"), 2).rows()[0]).containsExactly(0f, 255f);
        assertThat(parse(body("[1, 2]", "INT64", "[-3, 7]"), 2).rows()[0]).containsExactly(-3f, 7f);
        assertThat(parse(body("[1, 2]", "FP64", "[0.25, 1e3]"), 2).rows()[0]).containsExactly(0.25f, 1000f);
    }

    @Test
    void parse_idAndOutputs_keptInModelOrder() {
        InferRequest r = parse("{\"id\": \"req-1\", \"inputs\": [{\"name\": \"x\", \"shape\": [1, 1], \"datatype\": \"FP32\", \"data\": [1]}],"
                + " \"outputs\": [{\"name\": \"label\"}], \"parameters\": {\"anything\": 1}}", 1);

        assertThat(r.id()).isEqualTo("req-1");
        assertThat(r.outputs()).containsExactly("label");
    }

    /** A request body whose input has this shape, datatype and data, and the description its refusal must contain. */
    private static Arguments bad(String shape, String datatype, String data, String description) {
        return Arguments.of(body(shape, datatype, data), description);
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("{\"inputs\": [", "malformed JSON"),
                Arguments.of("{\"inputs\": []} x", "malformed JSON"),
                Arguments.of("{\"inputs\": [], \"inputs\": []}", "Duplicate field 'inputs'"),
                Arguments.of("", "the body is empty"),
                Arguments.of("[1, 2]", "must be a JSON object, got an array"),
                Arguments.of("{\"id\": \"a\"}", "missing field 'inputs'"),
                Arguments.of("{\"id\": 5, \"inputs\": []}", "id must be a string, got a number"),
                Arguments.of("{\"inputs\": [{}, {}]}", "got 2 element(s)"),
                Arguments.of("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP32\"}]}", "missing field 'inputs[0].data'"),
                Arguments.of("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"data\": [1, 2]}]}", "missing field 'inputs[0].datatype'"),
                bad("[1, 2]", "BYTES", "[1, 2]", "datatype 'BYTES' is not supported"),
                bad("[2]", "FP32", "[1, 2]", "shape must be [N, 2], got [2]"),
                bad("[1, 3]", "FP32", "[1, 2, 3]", "wrong feature count: shape [1,3] has 3 features per row; the model takes 2"),
                bad("[0, 2]", "FP32", "[]", "empty batch: shape [0,2] has no rows"),
                bad("[2, 2]", "FP32", "[1, 2, 3]", "shape [2, 2] needs 4 values, data has 3"),
                bad("[1, 2]", "FP32", "[1, NaN]", "row 0 feature 1 is NaN; features must be finite"),
                bad("[1, 2]", "FP32", "[1, -Infinity]", "row 0 feature 1 is -Infinity; features must be finite"),
                bad("[1, 2]", "FP64", "[1e300, 1]", "row 0 feature 0 is 1.0E300; features must be finite"),
                bad("[1, 2]", "FP32", "[1, \"a\"]", "row 0 feature 1 is \"a\", not a number"),
                bad("[1, 2]", "INT32", "[1, 0.5]", "not an integer, as INT32 needs"),
                bad("[1, 2]", "UINT8", "[1, 300]", "outside the UINT8 range [0, 255]"),
                Arguments.of(body("[1, 2]", "FP32", "[1, 2]").replace("]}]}", "]}], \"outputs\": [{\"name\": \"logits\"}]}"),
                        "unknown output 'logits'"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void parse_badRequest_invalidInputNamingTheProblem(String json, String description) {
        assertThatThrownBy(() -> parse(json, 2)).isInstanceOf(InvalidInputException.class).hasMessageContaining(description);
    }

    @Test
    void parse_longValues_echoAtMost64Characters() {
        String longToken = "x".repeat(500);

        assertThatThrownBy(() -> parse("{\"inputs\": " + longToken + "}", 2)).hasMessageContaining("malformed JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("x".repeat(65)));
        assertThatThrownBy(() -> parse(body("[1, 2]", longToken, "[1, 2]"), 2)).satisfies(e -> assertThat(e.getMessage())
                .contains("x".repeat(64) + "...").doesNotContain("x".repeat(65)));
    }
}
