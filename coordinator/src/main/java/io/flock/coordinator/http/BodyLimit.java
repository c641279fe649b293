package io.flock.coordinator.http;

import io.flock.coordinator.intake.FieldLimits;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates a request into one message of at most {@code max-body-bytes}, as {@link HttpObjectAggregator} does, but
 * answers a larger one with the JSON 413 of {@link HttpStatusMapper} instead of an empty body: at once when its
 * Content-Length (or an {@code Expect: 100-continue} request's) says so, else when the bytes pass the limit. As Netty
 * does, the connection stays open (the rest of the body is discarded) unless the client can no longer be answered in
 * step: a body already partly read, or neither keep-alive nor 100-continue.
 */
final class BodyLimit extends HttpObjectAggregator {
    private static final Logger log = LoggerFactory.getLogger(BodyLimit.class);
    private final int maxBodyBytes;

    /** @param maxBodyBytes the largest body, in bytes */
    BodyLimit(int maxBodyBytes) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            return null; // the aggregator then finds the length too large and calls handleOversizedMessage: our 413
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        long length = HttpUtil.getContentLength(oversized, -1L);
        RequestRejectedException tooLarge = new RequestRejectedException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the request body"
                + (length < 0 ? "" : " of " + length + " bytes") + " is over http.max-body-bytes=" + maxBodyBytes);
        boolean close = oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        String target = oversized instanceof HttpRequest r ? r.method() + " " + FieldLimits.echo(r.uri()) : "response";
        log.debug("http {} status=413 bytes={} close={}", target, length, close);
        var response = HttpStatusMapper.toResponse(tooLarge, 0);
        HttpUtil.setKeepAlive(response, !close);
        ctx.writeAndFlush(response).addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
