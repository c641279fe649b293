package io.flock.coordinator.http;

import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.serving.DeadlinePassedException;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become HTTP answers on the REST edge, as {@code grpc.StatusMapper} is for gRPC: bad input 400,
 * no valid access token 401 (with WWW-Authenticate), unknown model, version or path 404, wrong method 405 (with Allow), body over the limit 413, queue full 503 (with
 * Retry-After), deadline passed 504. The body is {@code {"error": description}}; anything but a known error is
 * answered 500 "internal error" and logged, so no stack or internal text goes out.
 */
final class HttpStatusMapper {
    private static final Logger log = LoggerFactory.getLogger(HttpStatusMapper.class);

    private HttpStatusMapper() {
    }

    /** @return the status for an error, unwrapped from the future that carried it */
    static HttpResponseStatus status(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof RequestRejectedException r) {
            return r.status();
        } else if (e instanceof CapacityExceededException) {
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        } else if (e instanceof InvalidInputException) {
            return HttpResponseStatus.BAD_REQUEST;
        } else if (e instanceof ModelNotFoundException) {
            return HttpResponseStatus.NOT_FOUND;
        } else if (e instanceof DeadlinePassedException) {
            return HttpResponseStatus.GATEWAY_TIMEOUT;
        }
        return HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }

    /**
     * @param t                the error
     * @param retryAfterMillis the serving queue's hint for a refused caller, sent (in whole seconds, at least 1) with a 503
     * @return the JSON error answer
     */
    static FullHttpResponse toResponse(Throwable t, long retryAfterMillis) {
        Throwable e = unwrap(t);
        HttpResponseStatus status = status(e);
        String description = e.getMessage();
        if (status.equals(HttpResponseStatus.INTERNAL_SERVER_ERROR)) {
            log.warn("internal error answered as HTTP 500", e);
            description = "internal error";
        }
        FullHttpResponse r = ResponseJson.response(status, ResponseJson.error(description));
        if (e instanceof CapacityExceededException) {
            r.headers().setInt(HttpHeaderNames.RETRY_AFTER, (int) Math.max(1, (retryAfterMillis + 999) / 1000));
        }
        if (e instanceof RequestRejectedException rr && rr.allowed() != null) {
            r.headers().set(HttpHeaderNames.ALLOW, rr.allowed().name());
        }
        if (e instanceof RequestRejectedException rr && rr.challenge() != null) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, rr.challenge());
        }
        return r;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
