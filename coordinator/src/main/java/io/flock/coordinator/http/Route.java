package io.flock.coordinator.http;

import io.flock.coordinator.intake.FieldLimits;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Arrays;

/**
 * One Open Inference Protocol (KServe v2) endpoint with the names in its path.
 *
 * @param kind    which endpoint
 * @param model   the model named in the path (URL-decoded), null for health
 * @param version the version named in the path, null when the path names none
 */
record Route(Kind kind, String model, String version) {
    /** The endpoints, each with the one method it takes. */
    enum Kind {
        LIVE(HttpMethod.GET), READY(HttpMethod.GET), MODEL_METADATA(HttpMethod.GET), MODEL_READY(HttpMethod.GET), INFER(HttpMethod.POST);

        private final HttpMethod method;

        Kind(HttpMethod method) {
            this.method = method;
        }
    }

    /**
     * @param uri    the request target, query string ignored
     * @param method the request's method
     * @return the endpoint
     * @throws RequestRejectedException 404 for a path outside the API, 405 for a method the endpoint does not take
     */
    static Route of(String uri, HttpMethod method) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        String[] s = decoder.rawPath().split("/", -1);
        try {
            for (int i = 0; i < s.length; i++) {
                s[i] = QueryStringDecoder.decodeComponent(s[i]);
            }
        } catch (IllegalArgumentException e) {
            throw new RequestRejectedException(HttpResponseStatus.BAD_REQUEST, "malformed path " + FieldLimits.echo(decoder.rawPath())
                    + " (a bad %-escape)");
        }
        Route r = match(s.length > 0 && s[0].isEmpty() ? Arrays.copyOfRange(s, 1, s.length) : s);
        if (r == null) {
            throw new RequestRejectedException(HttpResponseStatus.NOT_FOUND, "no endpoint at " + FieldLimits.echo(decoder.rawPath())
                    + "; the API has /v2/health/live, /v2/health/ready and /v2/models/{model}[/versions/{version}][/ready|/infer]");
        }
        if (!r.kind.method.equals(method)) {
            throw RequestRejectedException.methodNotAllowed(method, FieldLimits.echo(decoder.rawPath()), r.kind.method);
        }
        return r;
    }

    /** @return whether anyone may call it, with no token: the health endpoints, which load balancers probe */
    boolean open() {
        return kind == Kind.LIVE || kind == Kind.READY;
    }

    private static Route match(String[] s) {
        if (s.length < 3 || !s[0].equals("v2")) {
            return null;
        }
        if (s[1].equals("health") && s.length == 3) {
            return switch (s[2]) {
                case "live" -> new Route(Kind.LIVE, null, null);
                case "ready" -> new Route(Kind.READY, null, null);
                default -> null;
            };
        }
        if (!s[1].equals("models") || s[2].isEmpty()) {
            return null;
        }
        int rest = 3;
        String version = null;
        if (s.length >= 5 && s[3].equals("versions") && !s[4].isEmpty()) {
            version = s[4];
            rest = 5;
        }
        if (s.length == rest) {
            return new Route(Kind.MODEL_METADATA, s[2], version);
        }
        if (s.length == rest + 1 && s[rest].equals("ready")) {
            return new Route(Kind.MODEL_READY, s[2], version);
        }
        if (s.length == rest + 1 && s[rest].equals("infer")) {
            return new Route(Kind.INFER, s[2], version);
        }
        return null;
    }
}
