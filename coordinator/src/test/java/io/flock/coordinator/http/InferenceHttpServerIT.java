package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.coordinator.registry.ArtifactVariant;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.serving.BatchingConfig;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.serving.ResponseCache;
import io.flock.core.FlockException;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.model.Engines;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The REST edge on a real socket (port 0) over a real {@link ModelServing} with a tiny MLP (4 features, 3 classes):
 * health, metadata, inference equal to serving's own answers, every refusal with its status and description (serving
 * answers again after each), a full queue (503 with Retry-After) and a passed deadline (504).
 */
@Timeout(120)
class InferenceHttpServerIT {
    private static final String MODEL = "tiny";
    private static final String DEVICE_MODEL = "tiny-device";
    private static final long VERSION = 7;
    private static final int MAX_BODY = 16 << 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger rowsServed = new AtomicInteger();
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static ModelServing serving;
    private static InferenceHttpServer server;

    @BeforeAll
    static void start() {
        serving = serving(ModelSpec.parse("mlp:4-8-3"), new BatchingConfig(8, Duration.ofMillis(2), 1, 64), 1000);
        server = new InferenceHttpServer("127.0.0.1", 0, MAX_BODY, Duration.ofSeconds(10), serving, (m, s) -> rowsServed.incrementAndGet())
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
        serving.close();
    }

    /** @return serving that answers for {@link #DEVICE_MODEL} with version {@link #VERSION} of {@link #MODEL}, randomly initialised */
    static ModelServing serving(ModelSpec spec, BatchingConfig batching, int cacheEntries) {
        Engines.pytorch();
        ModelServing s = new ModelServing(batching, new ResponseCache(cacheEntries, 16 << 20), DEVICE_MODEL);
        ArtifactManifest manifest = new ArtifactManifest(MODEL, VERSION, spec.toString(), "fp32", "scale:1", "0".repeat(64), 0);
        ModelVersion v = new ModelVersion(MODEL, VERSION, spec.toString(), "scale:1", Stage.PRODUCTION, "0".repeat(64), 0, Double.NaN,
                Double.NaN, 0, List.of(new ArtifactVariant(manifest, new byte[0], true)), new byte[0]);
        try (FlockModel initial = new FlockModel(spec, "initial")) {
            s.update(v, initial.parameters());
        }
        return s;
    }

    @Test
    void health_liveAndReady_200() throws Exception {
        HttpResponse<String> live = send("GET", server, "/v2/health/live", null);
        HttpResponse<String> ready = send("GET", server, "/v2/health/ready", null);

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json(live).get("live").asBoolean()).isTrue();
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(live.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void ready_beforeTheFirstVersion_503AndModels404() throws Exception {
        try (ModelServing empty = new ModelServing(new BatchingConfig(1, Duration.ZERO, 1, 1), new ResponseCache(0, 0), DEVICE_MODEL);
             InferenceHttpServer s = new InferenceHttpServer("127.0.0.1", 0, MAX_BODY, Duration.ofSeconds(1), empty, (m, x) -> { }).start()) {
            HttpResponse<String> ready = send("GET", s, "/v2/health/ready", null);
            HttpResponse<String> model = send("GET", s, "/v2/models/" + MODEL, null);

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(error(ready)).isEqualTo("not ready: no model is loaded in serving yet");
            assertThat(model.statusCode()).isEqualTo(404);
            assertThat(send("GET", s, "/v2/health/live", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metadata_servedModelAndTheDeviceModelItAnswersFor_describeItsTensors() throws Exception {
        for (String path : List.of("/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/7", "/v2/models/" + DEVICE_MODEL)) {
            HttpResponse<String> r = send("GET", server, path, null);

            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(json(r)).isEqualTo(JSON.readTree("{\"name\": \"tiny\", \"versions\": [\"7\"], \"platform\": \"flock\","
                    + " \"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}],"
                    + " \"outputs\": [{\"name\": \"probabilities\", \"datatype\": \"FP32\", \"shape\": [-1, 3]},"
                    + " {\"name\": \"label\", \"datatype\": \"INT64\", \"shape\": [-1]}]}"));
        }
        HttpResponse<String> ready = send("GET", server, "/v2/models/" + MODEL + "/versions/7/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("ready").asBoolean()).isTrue();
    }

    @Test
    void infer_threeRows_answersAsServingDoesRowByRow() throws Exception {
        float[][] rows = {{0.1f, 0.2f, 0.3f, 0.4f}, {1, -1, 2, -2}, {5, 0, 0, 5}};
        int servedBefore = rowsServed.get();

        HttpResponse<String> r = send("POST", server, "/v2/models/" + MODEL + "/infer", "{\"id\": \"req-42\", \"inputs\": [{\"name\": \"features\","
                + " \"shape\": [3, 4], \"datatype\": \"FP32\", \"data\": " + Arrays.deepToString(rows) + "}]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("model_name").asText()).isEqualTo(MODEL);
        assertThat(body.get("model_version").asText()).isEqualTo("7");
        assertThat(body.get("id").asText()).isEqualTo("req-42");
        JsonNode probabilities = body.get("outputs").get(0);
        JsonNode labels = body.get("outputs").get(1);
        assertThat(probabilities.get("name").asText()).isEqualTo("probabilities");
        assertThat(probabilities.get("shape").toString()).isEqualTo("[3,3]");
        assertThat(labels.get("datatype").asText()).isEqualTo("INT64");
        assertThat(labels.get("shape").toString()).isEqualTo("[3]");
        for (int i = 0; i < 3; i++) {
            Prediction expected = serving.predict(MODEL, rows[i], Long.MAX_VALUE).get(5, TimeUnit.SECONDS);
            for (int c = 0; c < 3; c++) {
                assertThat(probabilities.get("data").get(i * 3 + c).floatValue()).isCloseTo(expected.probabilities()[c], within(1e-6f));
            }
            assertThat(labels.get("data").get(i).asInt()).isEqualTo(expected.label());
        }
        assertThat(rowsServed.get() - servedBefore).isEqualTo(3);
    }

    @Test
    void infer_integerDataForTheDeviceModel_onlyTheLabelAskedFor() throws Exception {
        HttpResponse<String> r = send("POST", server, "/v2/models/" + DEVICE_MODEL + "/infer", "{\"inputs\": [{\"name\": \"features\","
                + " \"shape\": [2, 4], \"datatype\": \"UINT8\", \"data\": [1, 2, 3, 4, 5, 6, 7, 8]}], \"outputs\": [{\"name\": \"label\"}]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("model_name").asText()).as("the model that answered").isEqualTo(MODEL);
        assertThat(body.has("id")).isFalse();
        assertThat(body.get("outputs")).hasSize(1);
        assertThat(body.get("outputs").get(0).get("data")).hasSize(2);
    }

    static Stream<Arguments> badRequests() {
        String infer = "/v2/models/" + MODEL + "/infer";
        return Stream.of(
                Arguments.of("POST", infer, "{\"inputs\": [", 400, "malformed JSON"),
                Arguments.of("POST", infer, input("[1, 4]", "BYTES", "[1, 2, 3, 4]"), 400, "datatype 'BYTES' is not supported"),
                Arguments.of("POST", infer, input("[2, 4]", "FP32", "[1, 2, 3, 4]"), 400, "shape [2, 4] needs 8 values, data has 4"),
                Arguments.of("POST", infer, "{\"id\": \"x\"}", 400, "missing field 'inputs'"),
                Arguments.of("POST", infer, input("[1, 5]", "FP32", "[1, 2, 3, 4, 5]"), 400, "wrong feature count"),
                Arguments.of("POST", infer, input("[1, 4]", "FP32", "[1, NaN, 3, 4]"), 400, "row 0 feature 1 is NaN; features must be finite"),
                Arguments.of("POST", infer, input("[1, 4]", "FP32", "[1, 2, 1e999, 4]"), 400, "row 0 feature 2 is Infinity"),
                Arguments.of("POST", infer, input("[0, 4]", "FP32", "[]"), 400, "empty batch"),
                Arguments.of("POST", "/v2/models/nope/infer", input("[1, 4]", "FP32", "[1, 2, 3, 4]"), 404, "no served model named 'nope'"),
                Arguments.of("POST", "/v2/models/" + "m".repeat(300) + "/infer", "{}", 404, "'" + "m".repeat(64) + "...'"),
                Arguments.of("POST", "/v2/models/" + MODEL + "/versions/8/infer", input("[1, 4]", "FP32", "[1, 2, 3, 4]"), 404,
                        "has no version '8' in serving; it serves version 7"),
                Arguments.of("GET", "/v2/models/" + MODEL + "/versions/x", null, 404, "it serves version 7"),
                Arguments.of("GET", "/v2/nothing", null, 404, "no endpoint at /v2/nothing"),
                Arguments.of("GET", infer, null, 405, "GET is not allowed on " + infer + "; use POST"),
                Arguments.of("POST", "/v2/health/live", "{}", 405, "use GET"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void send_badRequest_itsStatusAndDescription_thenServingAnswersAgain(String method, String path, String body, int status,
                                                                         String description) throws Exception {
        HttpResponse<String> r = send(method, server, path, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(error(r)).contains(description).hasSizeLessThan(400);
        if (status == 405) {
            assertThat(r.headers().firstValue("allow")).hasValue(method.equals("GET") ? "POST" : "GET");
        }
        assertThat(send("POST", server, "/v2/models/" + MODEL + "/infer", input("[1, 4]", "FP32", "[4, 3, 2, 1]")).statusCode())
                .as("serving stays up").isEqualTo(200);
    }

    @Test
    void infer_bodyOverMaxBodyBytes_413_andTheConnectionAnswersTheNextRequest() throws Exception {
        String tooLarge = "{\"inputs\": [" + " ".repeat(MAX_BODY) + "]}";

        // no Expect: 100-continue here (JDK 17's client never returns when a final status answers it); InferenceRestIT sends it with curl
        HttpResponse<String> r = send("POST", server, "/v2/models/" + MODEL + "/infer", tooLarge);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(error(r)).isEqualTo("the request body of " + tooLarge.length() + " bytes is over http.max-body-bytes=" + MAX_BODY);
        assertThat(send("POST", server, "/v2/models/" + MODEL + "/infer", input("[1, 4]", "FP32", "[1, 1, 1, 1]")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void infer_queueFull_503WithRetryAfter() throws Exception {
        // one worker, one row per batch, a slow model (~20M multiply-adds a row) and two waiting places: of 16 requests of
        // two rows sent at once, those that find the queue full are refused at once
        try (ModelServing full = serving(ModelSpec.parse("mlp:784-4096-4096-10"), new BatchingConfig(1, Duration.ZERO, 1, 2), 0);
             InferenceHttpServer s = new InferenceHttpServer("127.0.0.1", 0, 8 << 20, Duration.ofSeconds(30), full, (m, x) -> { }).start()) {
            String body = input("[2, 784]", "FP32", Arrays.deepToString(randomRows(2)));
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                sent.add(client.sendAsync(HttpRequest.newBuilder(uri(s, "/v2/models/" + MODEL + "/infer"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            List<HttpResponse<String>> refused = new java.util.ArrayList<>();
            for (var f : sent) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
                if (r.statusCode() == 503) {
                    refused.add(r);
                }
            }

            assertThat(refused).isNotEmpty();
            assertThat(refused.get(0).headers().firstValue("retry-after")).hasValue("1");
            assertThat(error(refused.get(0))).startsWith("serving queue full (2 requests waiting); retry after");
            assertThat(full.queue().refused()).isPositive();
        }
    }

    @Test
    void infer_moreRowsThanTheQueueHolds_413NamingTheCapacity() throws Exception {
        try (ModelServing small = serving(ModelSpec.parse("mlp:4-8-3"), new BatchingConfig(4, Duration.ofMillis(2), 1, 4), 0);
             InferenceHttpServer s = new InferenceHttpServer("127.0.0.1", 0, MAX_BODY, Duration.ofSeconds(5), small, (m, x) -> { }).start()) {
            HttpResponse<String> r = send("POST", s, "/v2/models/" + MODEL + "/infer", input("[5, 4]", "FP32", "[1,2,3,4,1,2,3,4,1,2,3,4,1,2,3,4,1,2,3,4]"));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(error(r)).contains("5 rows").contains("serving.queue-capacity=4");
            assertThat(small.queue().refused()).as("nothing was queued").isZero();
            assertThat(send("POST", s, "/v2/models/" + MODEL + "/infer", input("[4, 4]", "FP32", "[1,2,3,4,1,2,3,4,1,2,3,4,1,2,3,4]"))
                    .statusCode()).isEqualTo(200);
        }
    }

    private static float[][] randomRows(int n) {
        float[][] rows = new float[n][784];
        Random random = new Random(n);
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextFloat();
            }
        }
        return rows;
    }

    @Test
    void infer_deadlinePassesBeforeTheRowIsComputed_504() throws Exception {
        try (InferenceHttpServer hasty = new InferenceHttpServer("127.0.0.1", 0, MAX_BODY, Duration.ofNanos(1), serving, (m, x) -> { })
                .start()) {
            HttpResponse<String> r = send("POST", hasty, "/v2/models/" + MODEL + "/infer", input("[1, 4]", "FP32", "[9, 8, 7, 6.5]"));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
            assertThat(error(r)).containsAnyOf("deadline passed", "http.request-timeout");
        }
        assertThat(send("POST", server, "/v2/models/" + MODEL + "/infer", input("[1, 4]", "FP32", "[9, 8, 7, 6.5]")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void start_portTaken_failsNamingTheAddress() {
        InferenceHttpServer second = new InferenceHttpServer("127.0.0.1", server.port(), MAX_BODY, Duration.ofSeconds(1), serving, (m, x) -> { });

        assertThatThrownBy(second::start).isInstanceOf(FlockException.class).hasMessageStartingWith("cannot serve HTTP on 127.0.0.1:"
                + server.port() + ": ");
        second.close();
    }

    private static String input(String shape, String datatype, String data) {
        return "{\"inputs\": [{\"name\": \"features\", \"shape\": " + shape + ", \"datatype\": \"" + datatype + "\", \"data\": " + data + "}]}";
    }

    private static URI uri(InferenceHttpServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    private static HttpResponse<String> send(String method, InferenceHttpServer s, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return json(r).get("error").asText();
    }
}
