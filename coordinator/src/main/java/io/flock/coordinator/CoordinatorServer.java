package io.flock.coordinator;

import ai.djl.engine.Engine;
import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.grpc.CoordinatorService;
import io.flock.coordinator.mqtt.Broker;
import io.flock.coordinator.mqtt.EmbeddedBroker;
import io.flock.coordinator.mqtt.MqttFleetLink;
import io.flock.coordinator.mqtt.MqttRoundHooks;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.HeldOutEvaluator;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.FedAvg;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.Engines;
import io.flock.core.model.FlockModel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running coordinator: database, signing key, MQTT broker link, round engine, serving and the
 * gRPC server, wired explicitly. {@link #start()} and {@link #close()} are idempotent; close is
 * ordered (gRPC, MQTT, broker, models, database) and bounded.
 */
public final class CoordinatorServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorServer.class);
    private final CoordinatorConfig config;
    private FlockStore store;
    private Broker broker;
    private MqttFleetLink link;
    private ModelServing serving;
    private HeldOutEvaluator evaluator;
    private ModelRegistry registry;
    private RoundEngine rounds;
    private DeviceRegistry devices;
    private Ed25519Signer signer;
    private Server server;
    private MqttRoundHooks hooks;

    /** @param config resolved configuration */
    public CoordinatorServer(CoordinatorConfig config) {
        this.config = config;
    }

    /** Starts everything; publishes and pushes version 1 on first start. */
    public synchronized CoordinatorServer start() throws IOException {
        if (server != null) {
            return this;
        }
        Files.createDirectories(config.dataDir());
        store = new JdbcFlockStore(config.jdbcUrl());
        signer = Ed25519Signer.loadOrCreate(config.dataDir().resolve("keys"));
        registry = new ModelRegistry(store, signer, Codecs.byName(config.artifactCodec()));
        devices = new DeviceRegistry(store, config.enrollmentToken());
        broker = config.mqttUrl().isEmpty()
                ? new EmbeddedBroker(config.dataDir().resolve("broker"), config.embeddedMqttPort())
                : Broker.external(config.mqttUrl());
        broker.start();
        link = new MqttFleetLink(broker.url(), devices);
        link.start();
        serving = new ModelServing();
        if (config.evalData() != null) {
            evaluator = new HeldOutEvaluator(config.modelSpec(), config.pipeline(), IdxFormat.readLabelled(
                    config.evalData().resolve("t10k-images-idx3-ubyte.gz"), config.evalData().resolve("t10k-labels-idx1-ubyte.gz")));
        }
        hooks = new MqttRoundHooks(link, registry, serving, evaluator, config.training(), config.updateCodec(),
                config.chunkBytes(), config.pushBroadcast());
        rounds = new RoundEngine(new RoundPlan(config.modelName(), config.modelSpec(), config.pipeline(), config.devicesPerRound(),
                config.minResults(), config.roundTimeout(), config.maxUpdateBytes(), config.seed()), store, registry, devices,
                new FedAvg(), hooks);
        ModelVersion current = registry.current(config.modelName()).orElseGet(this::initialVersion);
        rounds.recover();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(config.grpcHost(), config.grpcPort()))
                .addService(new CoordinatorService(config.modelName(), registry, devices, rounds, serving,
                        config.maxUpdateBytes(), config.chunkBytes()))
                .maxInboundMessageSize(4 << 20)
                .build()
                .start();
        hooks.push(current, registry.globalParameters(current));
        log.info("coordinator started grpc=127.0.0.1:{} mqtt={} model={} version={} db={}", server.getPort(), broker.url(),
                config.modelName(), current.version(), config.databaseUrl().isEmpty() ? "h2" : "external");
        return this;
    }

    private ModelVersion initialVersion() {
        Engines.pytorch();
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (FlockModel initial = new FlockModel(config.modelSpec(), "initial")) {
            var params = initial.parameters();
            return registry.publish(config.modelName(), config.modelSpec(), config.pipeline(), params,
                    evaluator == null ? null : evaluator.evaluate(params));
        }
    }

    /**
     * Stores, signs and pushes parameters as the next version of the model, outside any round (e.g. a
     * model trained elsewhere, or a rollback to older parameters).
     *
     * @return the new version
     */
    public ModelVersion publish(io.flock.core.tensor.ModelParameters parameters) {
        ModelVersion v = registry.publish(config.modelName(), config.modelSpec(), config.pipeline(), parameters,
                evaluator == null ? null : evaluator.evaluate(parameters));
        hooks.push(v, parameters);
        return v;
    }

    /** @return the bound gRPC port */
    public int port() {
        return server.getPort();
    }

    /** @return the broker URL agents should use */
    public String mqttUrl() {
        return broker.url();
    }

    /** @return the round engine */
    public RoundEngine rounds() {
        return rounds;
    }

    /** @return registered and available devices */
    public DeviceRegistry devices() {
        return devices;
    }

    /** @return the model registry */
    public ModelRegistry registry() {
        return registry;
    }

    /** @return the X.509-encoded public key agents verify artifacts with */
    public byte[] publicKey() {
        return signer.publicKey();
    }

    /** @return the configuration this server runs with */
    public CoordinatorConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        rounds.close(); // lets the last version's scoring reach the store before it closes
        link.close();
        broker.close();
        serving.close();
        if (evaluator != null) {
            evaluator.close();
        }
        store.close();
        server = null;
        log.info("coordinator stopped");
    }
}
