package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.config.Settings;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.PredictResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST edge of a real {@link CoordinatorServer} (embedded broker, H2, gRPC and HTTP on free ports), called with
 * curl as an operator would: an infer of two Fashion-MNIST-sized rows, a body over the limit (with and without
 * {@code Expect: 100-continue}), an unknown model; and gRPC Predict and REST infer answered by the one serving.
 */
@Timeout(180)
class InferenceRestIT {
    private static final String MODEL = "rest-mlp";
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    /** An answer: the HTTP status and the body. */
    private record Reply(int status, JsonNode body) {
    }

    @Test
    void curl_inferTooLargeAndUnknownModel_answeredAsTheSpecSays_andGrpcGetsTheSameProbabilities() throws Exception {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data-dir", dir.resolve("c").toString());
        f.put("grpc.port", "0");
        f.put("security.mode", "insecure"); // plain curl and a plaintext channel; InferenceHttpsIT covers the secure edge
        f.put("mqtt.embedded-port", "0");
        f.put("metrics.port", "-1");
        f.put("http.port", "0");
        f.put("http.max-body-bytes", "64KiB");
        f.put("model.name", MODEL);
        f.put("model.spec", "mlp:784-16-10");
        try (CoordinatorServer c = new CoordinatorServer(CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null,
                Map.of(), f))).start()) {
            String base = "http://127.0.0.1:" + c.httpPort() + "/v2/models/";
            float[][] rows = pixels(3);

            Reply infer = curl("-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@" + write("infer.json",
                    "{\"id\": \"two\", \"inputs\": [{\"name\": \"features\", \"shape\": [2, 784], \"datatype\": \"UINT8\", \"data\": "
                            + Arrays.deepToString(Arrays.copyOf(rows, 2)) + "}]}"), base + MODEL + "/infer");

            assertThat(infer.status()).as(infer.body().toString()).isEqualTo(200);
            assertThat(infer.body().get("model_name").asText()).isEqualTo(MODEL);
            assertThat(infer.body().get("model_version").asText()).isEqualTo("1");
            assertThat(infer.body().get("id").asText()).isEqualTo("two");
            assertThat(infer.body().get("outputs").get(0).get("shape").toString()).isEqualTo("[2,10]");
            assertThat(infer.body().get("outputs").get(0).get("data")).hasSize(20);
            assertThat(infer.body().get("outputs").get(1).get("shape").toString()).isEqualTo("[2]");

            String tooLarge = write("large.json", "{\"inputs\": [" + " ".repeat(100 << 10) + "]}");
            for (String expect : List.of("Expect:", "Expect: 100-continue")) {
                Reply large = curl("-X", "POST", "-H", expect, "--data-binary", "@" + tooLarge, base + MODEL + "/infer");

                assertThat(large.status()).as(expect).isEqualTo(413);
                assertThat(large.body().get("error").asText()).isEqualTo("the request body of " + Files.size(Path.of(tooLarge))
                        + " bytes is over http.max-body-bytes=65536");
            }

            Reply unknown = curl(base + "no-such-model");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body().get("error").asText()).isEqualTo("no served model named 'no-such-model'");

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", c.port()).usePlaintext().build();
            try {
                PredictResponse grpc = CoordinatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .predict(PredictionMessages.request(MODEL, "", rows[2]));
                long hits = c.serving().cache().hits();

                Reply rest = curl("-X", "POST", "--data-binary", "@" + write("one.json", "{\"inputs\": [{\"name\": \"features\", \"shape\":"
                        + " [1, 784], \"datatype\": \"FP32\", \"data\": " + Arrays.toString(rows[2]) + "}]}"), base + MODEL + "/infer");

                assertThat(rest.status()).isEqualTo(200);
                assertThat(c.serving().cache().hits()).as("REST found gRPC's answer in the one cache").isEqualTo(hits + 1);
                JsonNode probabilities = rest.body().get("outputs").get(0).get("data");
                for (int k = 0; k < 10; k++) {
                    assertThat(probabilities.get(k).floatValue()).isCloseTo(grpc.getProbabilities(k), within(1e-6f));
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** @return rows of raw pixel values 0..255, as the devices offload them */
    private static float[][] pixels(int n) {
        Random random = new Random(7);
        float[][] rows = new float[n][784];
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextInt(256);
            }
        }
        return rows;
    }

    private String write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8).toString();
    }

    /** Runs curl with {@code args}; @return the status and the JSON body */
    private static Reply curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "--max-time", "30", "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("curl finished").isTrue();
        assertThat(p.exitValue()).as("curl exit code; output: " + out).isZero();
        int last = out.lastIndexOf('\n');
        return new Reply(Integer.parseInt(out.substring(last + 1).trim()), JSON.readTree(out.substring(0, last)));
    }
}
