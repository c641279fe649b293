package io.flock.coordinator.http;

import io.flock.core.FlockException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the REST edge refuses before any domain call: no valid access token (401), a path outside the API (404),
 * a method the path does not take (405), a body over the limit (413), a malformed HTTP message (400), or no model
 * loaded yet (503). Domain errors keep their own types; {@link HttpStatusMapper} maps both.
 */
final class RequestRejectedException extends FlockException {
    private final HttpResponseStatus status;
    private final HttpMethod allowed;
    private final String challenge;

    /**
     * @param status  the answer's status
     * @param message what was wrong, naming the value
     */
    RequestRejectedException(HttpResponseStatus status, String message) {
        this(status, message, null, null);
    }

    private RequestRejectedException(HttpResponseStatus status, String message, HttpMethod allowed, String challenge) {
        super(message);
        this.status = status;
        this.allowed = allowed;
        this.challenge = challenge;
    }

    /** @return a 405 for {@code used} on {@code path}, whose one method is {@code allowed} (sent as the Allow header) */
    static RequestRejectedException methodNotAllowed(HttpMethod used, String path, HttpMethod allowed) {
        return new RequestRejectedException(HttpResponseStatus.METHOD_NOT_ALLOWED, used + " is not allowed on " + path + "; use "
                + allowed, allowed, null);
    }

    /**
     * @param presented whether the request carried an {@code Authorization} header (then its token was not valid)
     * @return a 401 that says what to send, never what was sent, with its {@code WWW-Authenticate} challenge (RFC 6750)
     */
    static RequestRejectedException unauthorized(boolean presented) {
        return presented
                ? new RequestRejectedException(HttpResponseStatus.UNAUTHORIZED, "the access token is not valid", null,
                        "Bearer realm=\"flock\", error=\"invalid_token\"")
                : new RequestRejectedException(HttpResponseStatus.UNAUTHORIZED, "this endpoint needs an access token: send"
                        + " Authorization: Bearer <token>", null, "Bearer realm=\"flock\"");
    }

    /** @return the status to answer with */
    HttpResponseStatus status() {
        return status;
    }

    /** @return the one method the path takes, for a 405; null otherwise */
    HttpMethod allowed() {
        return allowed;
    }

    /** @return the {@code WWW-Authenticate} value, for a 401; null otherwise */
    String challenge() {
        return challenge;
    }
}
