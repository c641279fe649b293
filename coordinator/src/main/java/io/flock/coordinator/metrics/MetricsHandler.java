package io.flock.coordinator.metrics;

import io.flock.coordinator.intake.FieldLimits;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests to {@link MetricsServer}. Each is answered through {@link MetricsRoutes} on the server's
 * worker threads (a scrape or a snapshot may read the database; the event loop never waits for it), one at a time and
 * in order: the socket is not read while one is being answered. 400 for a malformed request, 500 with the reason when
 * a scrape or a snapshot fails, 503 when the workers' queue is full. Confined to its event loop.
 */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(MetricsHandler.class);
    private final MetricsRoutes routes;
    private final Executor workers;
    private final Deque<HttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    /** @param workers where answers are built */
    MetricsHandler(MetricsRoutes routes, Executor workers) {
        this.routes = routes;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // the answers need no body: keep the request line and headers, the aggregated request is released on return
        DefaultHttpRequest head = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(), request.headers().copy());
        head.setDecoderResult(request.decoderResult());
        waiting.add(head);
        if (!busy) {
            next(ctx);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        HttpRequest request = waiting.poll();
        busy = request != null;
        ctx.channel().config().setAutoRead(!busy);
        if (request == null) {
            return;
        }
        CompletableFuture<FullHttpResponse> answer;
        try {
            answer = CompletableFuture.supplyAsync(() -> answer(request), workers);
        } catch (RejectedExecutionException e) {
            answer = CompletableFuture.completedFuture(MetricsRoutes.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the metrics server is busy or stopping; try again\n"));
        }
        answer.whenCompleteAsync((response, error) -> respond(ctx, request, response), ctx.executor());
    }

    private FullHttpResponse answer(HttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return MetricsRoutes.text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: "
                    + FieldLimits.echo(String.valueOf(request.decoderResult().cause().getMessage())) + "\n");
        }
        try {
            return routes.answer(request);
        } catch (RuntimeException e) {
            log.warn("metrics server: {} {} failed", request.method(), FieldLimits.echo(request.uri()), e);
            return MetricsRoutes.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "could not answer " + request.method() + " "
                    + FieldLimits.echo(new QueryStringDecoder(request.uri()).path()) + ": " + e.getMessage() + "\n");
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (!keepAlive) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            waiting.clear();
            return;
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        next(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("metrics connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
