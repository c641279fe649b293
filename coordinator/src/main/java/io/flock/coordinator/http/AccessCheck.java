package io.flock.coordinator.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses, from its headers alone, a request that needs credentials (every endpoint but {@link Route#open() health},
 * and any path outside the API) and carries no valid bearer token ({@link HttpSecurity#permits}). It sits between the
 * HTTP codec and {@link BodyLimit}, so a refused request's body is never buffered or parsed and nothing is queued.
 * The refusal goes on as a bodiless {@link Refused} request that {@link InferenceHandler} answers 401 in its turn, so
 * answers keep the requests' order. The refused body is read and dropped and the connection goes on to the next
 * request, except after {@code Expect: 100-continue}, where the client may never send the body: that connection is
 * closed after the 401. One per connection, confined to its event loop.
 */
final class AccessCheck extends ChannelInboundHandlerAdapter {
    private final HttpSecurity security;
    private boolean discarding;

    AccessCheck(HttpSecurity security) {
        this.security = security;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            discarding = false;
            if (request.decoderResult().isSuccess() && !permitted(request)) {
                discarding = !(request instanceof LastHttpContent);
                Refused refused = new Refused(request);
                ReferenceCountUtil.release(request);
                ctx.fireChannelRead(refused);
                return;
            }
        } else if (discarding && msg instanceof HttpContent content) {
            discarding = !(content instanceof LastHttpContent);
            boolean malformed = content.decoderResult().isFailure();
            content.release();
            if (malformed) { // the codec can no longer tell where the next request starts
                ctx.close();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean permitted(HttpRequest request) {
        try {
            if (Route.of(request.uri(), request.method()).open()) {
                return true;
            }
        } catch (RequestRejectedException e) {
            // a path outside the API or a wrong method: only a caller with a token learns which (404, 405)
        }
        return security.permits(request.headers());
    }

    /** A request refused for its credentials: its method, target and headers, without its body or Authorization. */
    static final class Refused extends DefaultFullHttpRequest {
        private final RequestRejectedException reason;

        private Refused(HttpRequest request) {
            super(request.protocolVersion(), request.method(), request.uri(), Unpooled.EMPTY_BUFFER,
                    request.headers().copy().remove(HttpHeaderNames.AUTHORIZATION), EmptyHttpHeaders.INSTANCE);
            this.reason = RequestRejectedException.unauthorized(request.headers().contains(HttpHeaderNames.AUTHORIZATION));
            if (HttpUtil.is100ContinueExpected(request)) {
                HttpUtil.setKeepAlive(this, false);
            }
        }

        /** @return the 401 to answer with */
        RequestRejectedException reason() {
            return reason;
        }
    }
}
