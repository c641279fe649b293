package io.flock.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSecurityTest {
    private static SecurityFixture fixture;

    @BeforeAll
    static void credentials(@TempDir Path dir) throws Exception {
        fixture = SecurityFixture.create(dir);
    }

    @Test
    void permits_appsOrAdminBearer_schemeInAnyCase() {
        HttpSecurity s = fixture.security();
        String apps = s.apps().bearer().substring("Bearer ".length());

        assertThat(s.permits(authorization(s.apps().bearer()))).isTrue();
        assertThat(s.permits(authorization(s.admin().bearer()))).isTrue();
        assertThat(s.permits(authorization("bearer " + apps))).isTrue();
        assertThat(s.permits(authorization("BEARER " + apps))).isTrue();
    }

    @Test
    void permits_missingWrongOrOtherScheme_false() {
        HttpSecurity s = fixture.security();
        String apps = s.apps().bearer().substring("Bearer ".length());

        assertThat(s.permits(new DefaultHttpHeaders())).isFalse();
        assertThat(s.permits(authorization("Bearer " + apps + "x"))).isFalse();
        assertThat(s.permits(authorization("Bearer "))).isFalse();
        assertThat(s.permits(authorization("Basic " + apps))).isFalse();
        assertThat(s.permits(authorization(apps))).isFalse();
    }

    @Test
    void toString_namesNoSecret() {
        HttpSecurity s = fixture.security();

        assertThat(s.toString()).doesNotContain(s.apps().bearer().substring(7)).doesNotContain(s.admin().bearer().substring(7))
                .contains("redacted");
    }

    @Test
    void new_missingPart_namesIt() {
        HttpSecurity s = fixture.security();

        assertThatThrownBy(() -> new HttpSecurity(s.tls(), null, s.admin())).isInstanceOf(NullPointerException.class).hasMessage("apps");
    }

    @Test
    void serverContext_tls13And12Only_noClientAuth() {
        SslContext c = fixture.security().serverContext();

        assertThat(c.isServer()).isTrue();
        assertThat(c.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT).getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(c.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT).getNeedClientAuth()).isFalse();
    }

    private static HttpHeaders authorization(String value) {
        return new DefaultHttpHeaders().set("Authorization", value);
    }
}
