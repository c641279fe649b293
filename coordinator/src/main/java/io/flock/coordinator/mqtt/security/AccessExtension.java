package io.flock.coordinator.mqtt.security;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.auth.SecurityRegistry;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.flock.core.link.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HiveMQ extension that secures the embedded broker: {@link CertificateAuthenticator} admits clients by their TLS
 * certificate and the {@link DeviceDirectory}, {@link PolicyAuthorizer} applies {@link TopicPolicy} to every publish
 * and subscription, and {@link #evict} ends a revoked device's sessions. Register it with
 * {@code EmbeddedHiveMQ.builder().withEmbeddedExtension(extension.embedded())}; HiveMQ starts it before it opens its
 * listeners. Check {@link #started()} once the broker is up: a broker whose extension did not start must not serve.
 * Thread-safe.
 */
public final class AccessExtension implements ExtensionMain {
    private static final Logger log = LoggerFactory.getLogger(AccessExtension.class);
    private static final long EVICT_TIMEOUT_SECONDS = 10;
    private final DeviceDirectory directory;
    private final TopicPolicy policy;
    /** This broker's client service, kept from start: HiveMQ's {@code Services} is static and a later broker in the JVM replaces it. */
    private volatile ClientService clients;

    /** @param directory the enrolled devices clients are admitted by */
    public AccessExtension(DeviceDirectory directory) {
        this.directory = directory;
        this.policy = new TopicPolicy(directory);
    }

    /** @return this extension in the form {@code EmbeddedHiveMQBuilder.withEmbeddedExtension} takes */
    public EmbeddedExtension embedded() {
        return EmbeddedExtension.builder().withId("flock-access").withName("Flock device access").withVersion("1")
                .withAuthor("Flock").withPriority(1000).withStartPriority(1000).withExtensionMain(this).build();
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        try {
            ExecutorService executor = Services.extensionExecutorService();
            CertificateAuthenticator authenticator = new CertificateAuthenticator(policy, directory, executor);
            SecurityRegistry registry = Services.securityRegistry();
            registry.setAuthenticatorProvider(in -> authenticator);
            registry.setAuthorizerProvider(in -> PolicyAuthorizer.of(in.getConnectionInformation(),
                    in.getClientInformation().getClientId(), policy, executor));
            clients = Services.clientService();
        } catch (RuntimeException e) {
            log.error("MQTT access extension failed to start: {}", e.toString());
            output.preventExtensionStartup("Flock access extension failed to start: " + e.getMessage());
        }
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        clients = null;
    }

    /** @return whether the extension runs: its authenticator and authorizers are registered */
    public boolean started() {
        return clients != null;
    }

    /**
     * Disconnects every session of the device at once (as an agent and as a gateway) with DISCONNECT NOT_AUTHORIZED,
     * and drops their stored sessions (queued messages, subscriptions); its last will is published as usual. A device
     * that then reconnects is admitted again only if the {@link DeviceDirectory} admits it. Waits up to 10 s; a no-op
     * for a device with no session, or before start.
     *
     * @return the number of live sessions disconnected
     */
    public int evict(String deviceId) {
        ClientService service = clients;
        if (service == null) {
            return 0;
        }
        Topics.segment(deviceId);
        List<CompletableFuture<Boolean>> done = new ArrayList<>();
        for (String clientId : TopicPolicy.clientIds(deviceId)) {
            done.add(service.disconnectClient(clientId, false, DisconnectReasonCode.NOT_AUTHORIZED, "device " + deviceId + " was revoked")
                    .thenCompose(live -> service.invalidateSession(clientId).handle((r, noSession) -> live)));
        }
        int live = 0;
        for (CompletableFuture<Boolean> f : done) {
            try {
                live += Boolean.TRUE.equals(f.get(EVICT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) ? 1 : 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                log.warn("mqtt evict device={} did not complete: {}", deviceId, e.toString());
            }
        }
        log.info("mqtt evicted device={} sessions={}", deviceId, live);
        return live;
    }

    /**
     * @return the client ids of the broker's connected sessions (a gateway's is {@code flock-gateway-<id>}), waiting up to
     *         10 s; empty before start
     */
    public List<String> connectedClients() {
        ClientService service = clients;
        if (service == null) {
            return List.of();
        }
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            service.iterateAllClients((context, session) -> {
                if (session.isConnected()) {
                    ids.add(session.getClientIdentifier());
                }
            }).get(EVICT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("mqtt session listing did not complete: {}", e.toString());
        }
        return List.copyOf(ids);
    }
}
