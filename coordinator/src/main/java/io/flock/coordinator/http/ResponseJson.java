package io.flock.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flock.coordinator.serving.ModelServing;
import io.flock.core.model.Prediction;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.UncheckedIOException;
import java.util.List;

/** The JSON bodies the REST edge answers with, in the v2 spelling (tensors with name, datatype, shape and flat data). */
final class ResponseJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResponseJson() {
    }

    /** @return an HTTP/1.1 response with {@code body} as JSON and its Content-Length */
    static FullHttpResponse response(HttpResponseStatus status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /** @return {@code {"error": description}} */
    static JsonNode error(String description) {
        return JSON.createObjectNode().put("error", description);
    }

    /** @return {@code {name: value}}, as the health endpoints answer */
    static JsonNode flag(String name, boolean value) {
        return JSON.createObjectNode().put(name, value);
    }

    /** @return {@code {"name": ..., "ready": true}} for a model that answers */
    static JsonNode modelReady(ModelServing.Served s) {
        return JSON.createObjectNode().put("name", s.model()).put("ready", true);
    }

    /** @return the v2 model metadata: name, its one version, platform, and the input and output tensors with -1 for N */
    static JsonNode metadata(ModelServing.Served s) {
        ObjectNode m = JSON.createObjectNode().put("name", s.model());
        m.putArray("versions").add(Long.toString(s.version()));
        m.put("platform", "flock");
        tensor(m.putArray("inputs"), InferRequest.INPUT, "FP32", -1, s.spec().inputSize());
        ArrayNode outputs = m.putArray("outputs");
        tensor(outputs, InferRequest.OUTPUTS.get(0), "FP32", -1, s.spec().classes());
        tensor(outputs, InferRequest.OUTPUTS.get(1), "INT64", -1);
        return m;
    }

    /**
     * @param id      the request's id, null = none
     * @param answers one per row, in row order; the first names the model and version that answered
     * @param outputs the outputs to send
     * @return the v2 inference response
     */
    static JsonNode infer(String id, List<Prediction> answers, List<String> outputs) {
        Prediction first = answers.get(0);
        ObjectNode r = JSON.createObjectNode().put("model_name", first.model()).put("model_version", Long.toString(first.version()));
        if (id != null) {
            r.put("id", id);
        }
        ArrayNode out = r.putArray("outputs");
        if (outputs.contains(InferRequest.OUTPUTS.get(0))) {
            ArrayNode data = tensor(out, InferRequest.OUTPUTS.get(0), "FP32", answers.size(), first.probabilities().length)
                    .putArray("data");
            answers.forEach(p -> {
                for (float x : p.probabilities()) {
                    data.add(x);
                }
            });
        }
        if (outputs.contains(InferRequest.OUTPUTS.get(1))) {
            ArrayNode data = tensor(out, InferRequest.OUTPUTS.get(1), "INT64", answers.size()).putArray("data");
            answers.forEach(p -> data.add(p.label()));
        }
        return r;
    }

    /** @return a tensor description (name, datatype, shape) added to {@code list} */
    private static ObjectNode tensor(ArrayNode list, String name, String datatype, long... shape) {
        ObjectNode t = list.addObject().put("name", name).put("datatype", datatype);
        ArrayNode s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        return t;
    }
}
