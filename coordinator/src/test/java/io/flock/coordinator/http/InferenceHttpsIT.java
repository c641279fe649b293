package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.coordinator.serving.BatchingConfig;
import io.flock.coordinator.serving.ModelServing;
import io.flock.core.model.ModelSpec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The secured REST edge on a real socket (port 0) over a real {@link ModelServing}: TLS with a certificate from a fresh
 * Flock CA, the apps' and the admin's bearer tokens. Clients are the JDK's HttpClient trusting that CA, raw TLS and
 * plain sockets, and curl as an operator would call it.
 */
@Timeout(120)
class InferenceHttpsIT {
    private static final String INFER = "/v2/models/tiny/infer";
    private static final String ROW = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger rowsServed = new AtomicInteger();
    @TempDir
    static Path dir;
    private static SecurityFixture fixture;
    private static HttpClient client;
    private static ModelServing serving;
    private static InferenceHttpServer server;

    @BeforeAll
    static void start() throws Exception {
        fixture = SecurityFixture.create(dir.resolve("ca"));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(fixture.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
        serving = InferenceHttpServerIT.serving(ModelSpec.parse("mlp:4-8-3"), new BatchingConfig(8, Duration.ofMillis(2), 1, 64), 1000);
        server = new InferenceHttpServer("127.0.0.1", 0, 16 << 10, Duration.ofSeconds(10), serving, (m, s) -> rowsServed.incrementAndGet(),
                fixture.security()).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        serving.close();
    }

    @Test
    void infer_appsToken_200AndServed() throws Exception {
        int before = rowsServed.get();

        HttpResponse<String> r = send("POST", INFER, ROW, fixture.security().apps().bearer());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("model_name").asText()).isEqualTo("tiny");
        assertThat(rowsServed.get() - before).isEqualTo(1);
    }

    @Test
    void metadataAndInfer_adminToken_200() throws Exception {
        String admin = fixture.security().admin().bearer();

        assertThat(send("GET", "/v2/models/tiny", null, admin).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/models/tiny/versions/7/ready", null, admin).statusCode()).isEqualTo(200);
        assertThat(send("POST", INFER, ROW, admin).statusCode()).isEqualTo(200);
    }

    @Test
    void infer_noToken_401WithChallenge_bodyNeitherParsedNorQueuedNorServed() throws Exception {
        long queued = serving.queue().rows();
        long lookups = serving.cache().hits() + serving.cache().misses();
        int served = rowsServed.get();

        HttpResponse<String> r = send("POST", INFER, "{\"inputs\": [", null); // malformed: a 400 had it been parsed

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"flock\"");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(error(r)).isEqualTo("this endpoint needs an access token: send Authorization: Bearer <token>");
        assertThat(serving.queue().rows()).isEqualTo(queued);
        assertThat(serving.cache().hits() + serving.cache().misses()).isEqualTo(lookups);
        assertThat(rowsServed.get()).isEqualTo(served);
    }

    @Test
    void everyEndpointButHealth_wrongToken_401SayingNothingOfTheToken() throws Exception {
        String wrong = "Bearer " + "w".repeat(20) + "-not-the-token";
        String appsTokenWithOtherScheme = "Basic " + fixture.security().apps().bearer().substring(7);
        int served = rowsServed.get();

        for (String authorization : List.of(wrong, appsTokenWithOtherScheme)) {
            for (String[] call : new String[][] {{"POST", INFER, ROW}, {"GET", "/v2/models/tiny", null}, {"GET", "/v2/models/tiny/ready", null},
                {"GET", "/v2/models/none", null}, {"GET", "/v2/nothing", null}, {"GET", INFER, null}}) {
                HttpResponse<String> r = send(call[0], call[1], call[2], authorization);

                assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(401);
                assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"flock\", error=\"invalid_token\"");
                assertThat(error(r)).isEqualTo("the access token is not valid");
            }
        }
        assertThat(rowsServed.get()).isEqualTo(served);
    }

    @Test
    void health_noToken_200() throws Exception {
        assertThat(send("GET", "/v2/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void plaintextHttp_onTheTlsPort_noHttpAnswerAndTheConnectionClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            byte[] answer = readToEnd(s.getInputStream());

            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
        }
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/health/live"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void handshake_clientTrustingAnotherCa_fails() throws Exception {
        SecurityFixture other = SecurityFixture.create(dir.resolve("other-ca"));
        HttpClient stranger = HttpClient.newBuilder().sslContext(other.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
        int served = rowsServed.get();

        assertThatThrownBy(() -> stranger.send(HttpRequest.newBuilder(uri("/v2/health/live")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> stranger.send(HttpRequest.newBuilder(uri(INFER)).header("Authorization", fixture.security().apps().bearer())
                .POST(HttpRequest.BodyPublishers.ofString(ROW)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(rowsServed.get()).isEqualTo(served);
    }

    @Test
    void pipelined_refusedBodiesDropped_answersInRequestOrder() throws Exception {
        String noTokenChunked = "POST " + INFER + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(ROW.length())
                + "\r\n" + ROW + "\r\n0\r\n\r\n";
        String wrongToken = post("Bearer not-the-token", ROW);
        String apps = post(fixture.security().apps().bearer(), ROW);
        try (SSLSocket s = (SSLSocket) fixture.clientContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((noTokenChunked + wrongToken + apps + "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());

            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(readResponseStatus(in));
            }

            assertThat(statuses).containsExactly(401, 401, 200, 200);
        }
    }

    @Test
    void logs_atDebug_neverHoldATokenSentOrExpected() throws Exception {
        String wrong = "Bearer wrong-" + "x".repeat(30);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("io.flock"), (Logger) LoggerFactory.getLogger("io.netty"));
        List<Level> levels = new ArrayList<>();
        for (Logger l : loggers) {
            levels.add(l.getLevel());
            l.setLevel(Level.DEBUG);
            l.addAppender(events);
            l.setAdditive(false);
        }
        try {
            send("POST", INFER, ROW, wrong);
            send("POST", INFER, ROW, fixture.security().apps().bearer());
            send("GET", "/v2/models/tiny", "", null);
        } finally {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).detachAppender(events);
                loggers.get(i).setLevel(levels.get(i));
                loggers.get(i).setAdditive(true);
            }
        }

        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.contains("status=401"))
                .noneMatch(m -> m.contains("wrong-x") || m.contains(fixture.security().apps().bearer().substring(7))
                        || m.contains(fixture.security().admin().bearer().substring(7)));
    }

    @Test
    void curl_caCertAndAppsToken_inferAnswered_withoutTokenOrTrust_refused() throws Exception {
        Path ca = fixture.writeAuthorityPem(dir.resolve("flock-ca.pem"));
        Path body = Files.writeString(dir.resolve("row.json"), ROW);
        String url = "https://127.0.0.1:" + server.port() + INFER;

        Curl ok = curl("--cacert", ca.toString(), "-H", "Authorization: " + fixture.security().apps().bearer(), "--data-binary", "@" + body, url);
        Curl noToken = curl("--cacert", ca.toString(), "-H", "Expect: 100-continue", "--data-binary", "@" + body, url);
        Curl untrusted = curl("-H", "Authorization: " + fixture.security().apps().bearer(), "--data-binary", "@" + body, url);
        Curl plaintext = curl("http://127.0.0.1:" + server.port() + "/v2/health/live");

        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(ok.status()).as(ok.out()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("outputs").get(1).get("data")).hasSize(1);
        assertThat(noToken.status()).as(noToken.out()).isEqualTo(401);
        assertThat(JSON.readTree(noToken.body()).get("error").asText()).startsWith("this endpoint needs an access token");
        assertThat(untrusted.exit()).as("curl: SSL certificate problem").isEqualTo(60);
        assertThat(plaintext.exit()).as(plaintext.out()).isNotZero();
        assertThat(plaintext.out()).doesNotContain("HTTP/");
    }

    /** What curl did: its exit code, and its output (the body, then the status on the last line). */
    private record Curl(int exit, String out) {
        int status() {
            return Integer.parseInt(out.substring(out.lastIndexOf('\n') + 1).trim());
        }

        String body() {
            return out.substring(0, out.lastIndexOf('\n'));
        }
    }

    private static Curl curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "--max-time", "30", "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("curl finished").isTrue();
        return new Curl(p.exitValue(), out);
    }

    private static String post(String authorization, String body) {
        return "POST " + INFER + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + authorization + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** Reads one response (status line, headers, a Content-Length body); @return its status */
    private static int readResponseStatus(InputStream in) throws IOException {
        String status = line(in);
        int length = 0;
        for (String h; !(h = line(in)).isEmpty(); ) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        assertThat(in.readNBytes(length)).hasSize(length);
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-response after: " + b);
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII).stripTrailing();
    }

    private static byte[] readToEnd(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            in.transferTo(b);
        } catch (IOException e) {
            // a reset ends it as well as an orderly close
        }
        return b.toByteArray();
    }

    private static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        return body.get("error").asText();
    }
}
