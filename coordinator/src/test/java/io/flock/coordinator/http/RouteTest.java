package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

class RouteTest {
    @Test
    void of_v2Paths_kindModelAndVersion() {
        assertThat(Route.of("/v2/health/live", HttpMethod.GET)).isEqualTo(new Route(Route.Kind.LIVE, null, null));
        assertThat(Route.of("/v2/health/ready?x=1", HttpMethod.GET)).isEqualTo(new Route(Route.Kind.READY, null, null));
        assertThat(Route.of("/v2/models/m", HttpMethod.GET)).isEqualTo(new Route(Route.Kind.MODEL_METADATA, "m", null));
        assertThat(Route.of("/v2/models/m/versions/3", HttpMethod.GET)).isEqualTo(new Route(Route.Kind.MODEL_METADATA, "m", "3"));
        assertThat(Route.of("/v2/models/m/ready", HttpMethod.GET)).isEqualTo(new Route(Route.Kind.MODEL_READY, "m", null));
        assertThat(Route.of("/v2/models/m/versions/3/ready", HttpMethod.GET)).isEqualTo(new Route(Route.Kind.MODEL_READY, "m", "3"));
        assertThat(Route.of("/v2/models/a%20b/infer", HttpMethod.POST)).isEqualTo(new Route(Route.Kind.INFER, "a b", null));
        assertThat(Route.of("/v2/models/m/versions/3/infer", HttpMethod.POST)).isEqualTo(new Route(Route.Kind.INFER, "m", "3"));
    }

    @Test
    void of_otherPaths_404NamingThePath() {
        for (String path : new String[] {"/", "/v1/models/m", "/v2/health", "/v2/models/", "/v2/models/m/explain", "/v2/models/m/versions//infer",
            "/v2/health/live/x"}) {
            assertThatThrownBy(() -> Route.of(path, HttpMethod.GET)).isInstanceOfSatisfying(RequestRejectedException.class,
                    e -> assertThat(e.status()).isEqualTo(HttpResponseStatus.NOT_FOUND)).hasMessageContaining("no endpoint at " + path);
        }
        assertThatThrownBy(() -> Route.of("/v2/models/%zz", HttpMethod.GET)).hasMessageContaining("malformed path");
    }

    @Test
    void of_wrongMethod_405WithTheAllowedOne() {
        assertThatThrownBy(() -> Route.of("/v2/models/m/infer", HttpMethod.GET)).isInstanceOfSatisfying(RequestRejectedException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
            assertThat(e.allowed()).isEqualTo(HttpMethod.POST);
        }).hasMessage("GET is not allowed on /v2/models/m/infer; use POST");
        assertThatThrownBy(() -> Route.of("/v2/health/live", HttpMethod.POST)).hasMessageContaining("use GET");
    }

    @Test
    void open_healthOnly() {
        assertThat(Route.of("/v2/health/live", HttpMethod.GET).open()).isTrue();
        assertThat(Route.of("/v2/health/ready", HttpMethod.GET).open()).isTrue();
        assertThat(Route.of("/v2/models/m", HttpMethod.GET).open()).isFalse();
        assertThat(Route.of("/v2/models/m/versions/3/ready", HttpMethod.GET).open()).isFalse();
        assertThat(Route.of("/v2/models/m/infer", HttpMethod.POST).open()).isFalse();
    }
}
