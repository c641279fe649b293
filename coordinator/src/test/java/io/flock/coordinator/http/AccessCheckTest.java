package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials check on an embedded channel (codec, check, body limit), byte by byte as a client would send. */
class AccessCheckTest {
    private static final String INFER = "/v2/models/m/infer";
    private static final String BODY = "{\"inputs\": []}";
    private static SecurityFixture fixture;
    private EmbeddedChannel channel;

    @BeforeAll
    static void credentials(@TempDir Path dir) throws Exception {
        fixture = SecurityFixture.create(dir);
    }

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel(new HttpServerCodec(), new AccessCheck(fixture.security()), new BodyLimit(1024));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void channelRead_noTokenWithBody_refusedWithoutItsBody_thenTheNextRequestPassesWhole() {
        send(post(INFER, null, BODY) + post(INFER, fixture.security().apps().bearer(), BODY));

        FullHttpRequest refused = channel.readInbound();
        FullHttpRequest next = channel.readInbound();

        assertThat(refused).isInstanceOfSatisfying(AccessCheck.Refused.class, r -> {
            assertThat(r.reason().status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            assertThat(r.reason().challenge()).isEqualTo("Bearer realm=\"flock\"");
            assertThat(r.reason()).hasMessage("this endpoint needs an access token: send Authorization: Bearer <token>");
        });
        assertThat(refused.content().readableBytes()).isZero();
        assertThat(HttpUtil.isKeepAlive(refused)).isTrue();
        assertThat(next).isNotInstanceOf(AccessCheck.Refused.class);
        assertThat(next.content().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
        refused.release();
        next.release();
    }

    @Test
    void channelRead_wrongTokenChunkedBodyInPieces_refusedAndDiscarded_thenTheNextRequestPasses() {
        String chunked = "POST " + INFER + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        String all = chunked + post(INFER, fixture.security().admin().bearer(), BODY);
        for (int i = 0; i < all.length(); i += 7) {
            send(all.substring(i, Math.min(all.length(), i + 7)));
        }

        FullHttpRequest refused = channel.readInbound();
        FullHttpRequest next = channel.readInbound();

        assertThat(refused).isInstanceOfSatisfying(AccessCheck.Refused.class, r -> {
            assertThat(r.reason()).hasMessage("the access token is not valid");
            assertThat(r.reason().challenge()).isEqualTo("Bearer realm=\"flock\", error=\"invalid_token\"");
        });
        assertThat(refused.headers().contains(HttpHeaderNames.AUTHORIZATION)).as("the token is not kept").isFalse();
        assertThat(next.content().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
        assertThat((Object) channel.readInbound()).isNull();
        refused.release();
        next.release();
    }

    @Test
    void channelRead_expect100ContinueWithoutToken_noContinue_refusedAndTheConnectionToClose() {
        send("POST " + INFER + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n");

        FullHttpRequest refused = channel.readInbound();

        assertThat(refused).isInstanceOf(AccessCheck.Refused.class);
        assertThat(HttpUtil.isKeepAlive(refused)).isFalse();
        assertThat((Object) channel.readOutbound()).as("no 100 Continue").isNull();
        refused.release();
    }

    @Test
    void channelRead_expect100ContinueWithToken_continuedAndPassed() {
        send("POST " + INFER + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nAuthorization: " + fixture.security().apps().bearer()
                + "\r\nContent-Length: " + BODY.length() + "\r\n\r\n");
        ByteBuf continued = channel.readOutbound();
        send(BODY);

        FullHttpRequest passed = channel.readInbound();

        assertThat(continued.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 100 Continue");
        assertThat(passed.content().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
        continued.release();
        passed.release();
    }

    @Test
    void channelRead_healthWithoutToken_passes_otherPathsRefused() {
        send(get("/v2/health/live") + get("/v2/health/ready") + get("/v2/models/m") + get("/v2/models/m/ready") + get("/v2/nothing")
                + get(INFER));

        for (boolean open : new boolean[] {true, true, false, false, false, false}) {
            FullHttpRequest r = channel.readInbound();
            assertThat(r instanceof AccessCheck.Refused).as(r.uri()).isEqualTo(!open);
            r.release();
        }
    }

    private void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.UTF_8));
    }

    private static String post(String path, String authorization, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
}
