package io.flock.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.serving.ModelServing;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjDoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests: routes each ({@link Route}), answers health and metadata at once and inference when its
 * rows are answered ({@link InferenceCall}), a request {@link AccessCheck} refused with its 401, every error through
 * {@link HttpStatusMapper}. Requests on a connection are answered one at a time and in order (HTTP/1.1 pipelining):
 * the socket is not read while one is in flight. Nothing here blocks the event loop.
 */
final class InferenceHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(InferenceHandler.class);
    private final ModelServing serving;
    private final Duration timeout;
    private final ObjDoubleConsumer<String> served;
    private final AtomicInteger inFlight;
    private final Deque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    /**
     * @param timeout  each request's deadline
     * @param served   told of each answered row: the model that answered and the request's seconds
     * @param inFlight requests received and not yet answered, across connections
     */
    InferenceHandler(ModelServing serving, Duration timeout, ObjDoubleConsumer<String> served, AtomicInteger inFlight) {
        super(false); // requests are released once answered
        this.serving = serving;
        this.timeout = timeout;
        this.served = served;
        this.inFlight = inFlight;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        inFlight.incrementAndGet();
        waiting.add(request);
        if (!busy) {
            next(ctx);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        FullHttpRequest request = waiting.poll();
        busy = request != null;
        ctx.channel().config().setAutoRead(!busy);
        if (request == null) {
            return;
        }
        long start = System.nanoTime();
        CompletableFuture<FullHttpResponse> answer;
        try {
            answer = answer(ctx, request, start);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenCompleteAsync((response, error) -> respond(ctx, request, response, error, start), ctx.executor());
    }

    private CompletableFuture<FullHttpResponse> answer(ChannelHandlerContext ctx, FullHttpRequest request, long start) {
        if (request instanceof AccessCheck.Refused refused) {
            throw refused.reason();
        }
        if (!request.decoderResult().isSuccess()) {
            throw new RequestRejectedException(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: "
                    + FieldLimits.echo(String.valueOf(request.decoderResult().cause().getMessage())));
        }
        Route route = Route.of(request.uri(), request.method());
        return switch (route.kind()) {
            case LIVE -> ok(ResponseJson.flag("live", true));
            case READY -> ok(ready());
            case MODEL_METADATA -> ok(ResponseJson.metadata(served(route)));
            case MODEL_READY -> ok(ResponseJson.modelReady(served(route)));
            case INFER -> infer(ctx, route, request, start);
        };
    }

    private CompletableFuture<FullHttpResponse> infer(ChannelHandlerContext ctx, Route route, FullHttpRequest request, long start) {
        ModelServing.Served s = served(route);
        InferRequest in = InferRequest.parse(new ByteBufInputStream(request.content()), s.spec().inputSize());
        return InferenceCall.start(serving, route.model(), in.rows(), timeout, ctx.channel().eventLoop()).thenApply(answers -> {
            double seconds = (System.nanoTime() - start) / 1e9;
            answers.forEach(p -> served.accept(p.model(), seconds));
            return ResponseJson.response(HttpResponseStatus.OK, ResponseJson.infer(in.id(), answers, in.outputs()));
        });
    }

    private static CompletableFuture<FullHttpResponse> ok(JsonNode body) {
        return CompletableFuture.completedFuture(ResponseJson.response(HttpResponseStatus.OK, body));
    }

    private JsonNode ready() {
        if (serving.served("").isEmpty()) {
            throw new RequestRejectedException(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: no model is loaded in serving yet");
        }
        return ResponseJson.flag("ready", true);
    }

    /** @return what answers the route's model, at the route's version if it names one */
    private ModelServing.Served served(Route route) {
        String name = FieldLimits.echo(route.model());
        ModelServing.Served s = serving.served(route.model())
                .orElseThrow(() -> new ModelNotFoundException("no served model named '" + name + "'"));
        if (route.version() != null && !route.version().equals(Long.toString(s.version()))) {
            throw new ModelNotFoundException("model '" + name + "' has no version '" + FieldLimits.echo(route.version())
                    + "' in serving; it serves version " + s.version());
        }
        return s;
    }

    private void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, Throwable error, long start) {
        FullHttpResponse out = error == null ? response : HttpStatusMapper.toResponse(error, serving.queue().retryAfterMillis());
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpUtil.setKeepAlive(out, keepAlive);
        log.debug("http {} {} status={} ms={}", request.method(), FieldLimits.echo(request.uri()), out.status().code(),
                (System.nanoTime() - start) / 1_000_000);
        request.release();
        inFlight.decrementAndGet();
        if (!keepAlive) {
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            discardWaiting();
            return;
        }
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        next(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discardWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("http connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void discardWaiting() {
        for (FullHttpRequest r; (r = waiting.poll()) != null; ) {
            r.release();
            inFlight.decrementAndGet();
        }
    }
}
