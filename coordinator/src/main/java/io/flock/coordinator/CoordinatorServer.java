package io.flock.coordinator;

import ai.djl.engine.Engine;
import io.flock.coordinator.async.AsyncEngine;
import io.flock.coordinator.batch.BatchJob;
import io.flock.coordinator.batch.InputSets;
import io.flock.coordinator.dashboard.DashboardView;
import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.grpc.AdminService;
import io.flock.coordinator.grpc.CoordinatorService;
import io.flock.coordinator.http.HttpSecurity;
import io.flock.coordinator.http.InferenceHttpServer;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.intake.UpdateIntake;
import io.flock.coordinator.metrics.CoordinatorMetrics;
import io.flock.coordinator.metrics.FleetMetrics;
import io.flock.coordinator.metrics.MetricsServer;
import io.flock.coordinator.monitor.DriftMonitor;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.monitor.FleetReports;
import io.flock.coordinator.monitor.HeldOutReference;
import io.flock.coordinator.monitor.RetrainTriggers;
import io.flock.coordinator.mqtt.Broker;
import io.flock.coordinator.mqtt.EmbeddedBroker;
import io.flock.coordinator.mqtt.MqttAnnouncer;
import io.flock.coordinator.mqtt.MqttFleetLink;
import io.flock.coordinator.mqtt.MqttTaskSender;
import io.flock.coordinator.mqtt.security.BrokerSecurity;
import io.flock.coordinator.privacy.CentralDp;
import io.flock.coordinator.privacy.PrivacyConfig;
import io.flock.coordinator.privacy.PrivacyLedger;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.rollout.Announcements;
import io.flock.coordinator.rollout.RolloutController;
import io.flock.coordinator.round.HeldOutEvaluator;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.round.TrainingEngine;
import io.flock.coordinator.replica.Replicas;
import io.flock.coordinator.replica.StoredRoundLedger;
import io.flock.coordinator.replica.TrainingLeader;
import io.flock.coordinator.replica.VersionFollower;
import io.flock.coordinator.round.TrainingSchedule;
import io.flock.coordinator.security.CoordinatorSecurity;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.serving.OffloadAdvisor;
import io.flock.coordinator.serving.ResponseCache;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.Strategy;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.config.ConfigException;
import io.flock.core.data.Dataset;
import io.flock.core.model.Engines;
import io.flock.core.model.FlockModel;
import io.flock.core.privacy.NoiseRandom;
import io.flock.core.tensor.ModelParameters;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running coordinator: database, signing key, registry, MQTT broker link, intake, round engine, serving, batch
 * predictions, metrics, the gRPC server and the REST inference server, wired explicitly. {@link #start()} and
 * {@link #close()} are idempotent. Close is ordered and bounded: the training schedule stops, gRPC stops taking calls
 * and drains the ones in flight, the REST server does the same, then the batch job, the round engine, metrics, MQTT,
 * broker, models and, last, the database close.
 */
public final class CoordinatorServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorServer.class);
    private static final Duration DRAIN = Duration.ofSeconds(10);
    private final CoordinatorConfig config;
    private FlockStore store;
    private Broker broker;
    private MqttFleetLink link;
    private ModelServing serving;
    private InputSets sets;
    private BatchJob batch;
    private HeldOutEvaluator evaluator;
    private OffloadAdvisor advisor;
    private ModelRegistry registry;
    private RoundEngine rounds;
    private TrainingEngine trainer;
    private DeviceRegistry devices;
    private Ed25519Signer signer;
    private Server server;
    private InferenceHttpServer http;
    private MqttAnnouncer announcer;
    private CoordinatorMetrics metrics;
    private MetricsServer metricsServer;
    private TrainingSchedule schedule;
    private long scheduleLimit;
    private FleetEvents events;
    private RolloutController rollouts;
    /** Null without a held-out set (no reference to compare the fleet with). */
    private DriftMonitor drift;
    private RetrainTriggers triggers;
    /** Null in insecure mode. */
    private CoordinatorSecurity security;
    /** Null unless replicas share the store ({@code lease.mode}): then it runs the schedule while this replica holds the lease. */
    private TrainingLeader leader;
    private VersionFollower follower;

    /** @param config resolved configuration */
    public CoordinatorServer(CoordinatorConfig config) {
        this.config = config;
    }

    /**
     * Starts everything; publishes and pushes version 1 on first start, re-announces production otherwise. A start that
     * fails part-way (a key file refused, a port taken) closes what it had opened, the database last, and rethrows.
     */
    public synchronized CoordinatorServer start() throws IOException {
        if (server != null) {
            return this;
        }
        try {
            return open();
        } catch (IOException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    private CoordinatorServer open() throws IOException {
        String model = config.model().name();
        Files.createDirectories(config.dataDir());
        store = new JdbcFlockStore(config.jdbcUrl());
        signer = Ed25519Signer.loadOrCreate(config.dataDir().resolve("keys"));
        List<CompressionPipeline> variants = new ArrayList<>(List.of(CompressionPipeline.parse(config.push().codec())));
        config.registry().variants().stream().map(CompressionPipeline::parse).filter(p -> !p.name().equals(variants.get(0).name()))
                .forEach(variants::add);
        registry = new ModelRegistry(store, signer, variants, config.registry().keepVersions());
        String served = RegistryModels.served(config);
        RegistryModels.requireTeacher(config, registry);
        RegistryModels.requireServed(config, registry);
        devices = new DeviceRegistry(store, config.security().secure() ? "" : config.enrollmentToken());
        security = config.security().secure()
                ? CoordinatorSecurity.open(config.security(), config.dataDir().resolve("keys"), store, devices, Clock.systemUTC()) : null;
        broker = config.mqtt().url().isEmpty()
                ? new EmbeddedBroker(config.dataDir().resolve("broker"), config.mqtt().embeddedPort(),
                        security == null ? null : new BrokerSecurity(security.credentials(), security.trust()))
                : Broker.external(config.mqtt().url());
        broker.start();
        if (security != null) {
            security.trust().onRevocation(broker::evict);
            security.trust().onRevocation(d -> devices.statusChanged(d, false)); // a gateway's devices have no session to evict
        }
        link = new MqttFleetLink(broker.url(), devices, security == null ? null : security.credentials());
        link.start();
        serving = new ModelServing(config.serving().batching(), new ResponseCache(config.serving().cacheEntries(),
                config.serving().cacheBytes()), model);
        Dataset heldOut = null;
        if (config.eval().dataDir() != null) {
            heldOut = HeldOutEvaluator.load(config.eval().dataDir());
            evaluator = new HeldOutEvaluator(config.model().spec(), config.model().pipeline(), heldOut);
            if (!served.equals(model)) {
                advisor = new OffloadAdvisor(HeldOutEvaluator.calibrationHalf(heldOut), config.serving().offload());
            }
        }
        metrics = new CoordinatorMetrics(() -> devices.available().size(), this::stageCounts, store::sizeBytes).model(model)
                .serving(serving.queue(), serving.cache()).statusMessages(link::invalidStatuses);
        Announcements announcements = new Announcements(model, registry, devices, config.push().chunkBytes(),
                v -> advisor == null ? Optional.empty() : advisor.advise(v, () -> registry.pushedParameters(v)));
        announcer = new MqttAnnouncer(link, registry, config.push().chunkBytes(), config.push().broadcast(), announcements);
        events = new FleetEvents(store, Clock.systemUTC());
        rollouts = new RolloutController(model, store, registry, devices, config.rollout(), events, Clock.systemUTC(),
                () -> registry.current(model).ifPresent(announcer::readvise));
        announcements.rollouts(rollouts);
        FleetMetrics fleetMetrics = new FleetMetrics(metrics.registry(), model, rollouts::latest);
        registry.addListener((v, previous) -> {
            if (v.model().equals(served)) {
                serving.update(v, registry.globalParameters(v));
            }
            if (advisor != null && v.model().equals(served)) {
                advisor.cloud(v, registry.globalParameters(v));
                registry.current(model).ifPresent(announcer::readvise);
            }
        });
        registry.addListener((v, previous) -> {
            // a cloud model in the same registry is served, never pushed; of replicas, the lease holder announces
            if (v.model().equals(model) && (leader == null || leader.holds())) {
                announcer.promoted(v, previous);
            }
        });
        sets = new InputSets(store, registry, new HashSet<>(List.of(model, served)), config.batch().maxRows(), config.batch().maxSetBytes());
        batch = new BatchJob(sets, registry, served, model, config.batch().interval());
        registry.addListener(batch.listener());
        if (!served.equals(model)) {
            ModelVersion cloud = registry.requireCurrent(served);
            serving.update(cloud, registry.globalParameters(cloud));
            if (advisor != null) {
                advisor.cloud(cloud, registry.globalParameters(cloud));
            }
        }
        ByteBudget intakeBudget = new ByteBudget(config.limits().intakeBudget());
        UpdateIntake intake = new UpdateIntake(store, devices, config.limits().maxUpdateBytes(), metrics, intakeBudget);
        PrivacyLedger privacy = new PrivacyLedger(model, config.privacy(), config.strategy().plan().clipNorm(), store);
        if (privacy.enabled()) {
            metrics.privacySpent(model, privacy.epsilon(), config.privacy().delta());
        }
        RoundPlan roundPlan = new RoundPlan(model, config.model().spec(), config.model().pipeline(), config.round().devices(),
                config.round().minResults(), config.round().minAvailable(), config.round().timeout(), config.seed());
        MqttTaskSender tasks = new MqttTaskSender(link, registry::requireCurrent, signer);
        Consumer<RoundResult> finished = r -> {
            metrics.roundFinished(model, r);
            if (triggers != null) {
                triggers.roundFinished(r);
            }
        };
        Strategy strategy = strategy(config);
        rounds = new RoundEngine(roundPlan, store, registry, devices, strategy, tasks, evaluator == null ? null : evaluator::evaluate,
                finished, privacy);
        trainer = config.async().enabled() ? new AsyncEngine(roundPlan, config.async(), store, registry, devices, strategy, tasks,
                evaluator == null ? null : evaluator::evaluate, finished) : rounds;
        ModelVersion current = registry.current(model).orElse(null);
        if (config.lease().enabled(config.jdbcUrl())) {
            leader = Replicas.leader(config, store, rounds, this::newSchedule);
            intake.register(model, new StoredRoundLedger(model, rounds, store, registry, strategy));
            follower = new VersionFollower(registry, new ArrayList<>(new LinkedHashSet<>(List.of(model, served))), Replicas.FOLLOW_EVERY);
        } else {
            intake.register(model, trainer);
            if (current != null) {
                trainer.recover();
            }
        }
        FleetReports reports = new FleetReports(store, devices, registry, config.telemetry().retention());
        reports.claims(announcements::requireMayRun);
        reports.addListener(rollouts::observe);
        if (heldOut != null) {
            watchDrift(heldOut, announcements, reports, fleetMetrics);
        }
        DashboardView dashboard = new DashboardView(model, store, registry, devices, rollouts, metrics, Clock.systemUTC());
        reports.addListener(dashboard);
        if (config.metrics().port() >= 0) {
            metricsServer = new MetricsServer(config.metrics().host(), config.metrics().port(), metrics.registry(), dashboard::snapshot);
        }
        InetSocketAddress grpcAddress = new InetSocketAddress(config.grpc().host(), config.grpc().port());
        NettyServerBuilder grpc = security == null ? NettyServerBuilder.forAddress(grpcAddress)
                : NettyServerBuilder.forAddress(grpcAddress, security.grpcCredentials()).intercept(security.interceptor());
        server = grpc
                .addService(new CoordinatorService(model, new CoordinatorService.Parts(registry, devices, intake, intakeBudget, trainer, reports,
                        serving, metrics, sets, announcements), config.limits().maxUpdateBytes(), config.push().chunkBytes(), security == null
                        ? CoordinatorService.Identity.INSECURE : new CoordinatorService.Identity(security.callers(), security.enrollment())))
                .addService(new AdminService(registry, this::trigger, sets, security == null ? null : security.enrollment(),
                        security == null ? null : security.trust(), model, rollouts, events, rounds.privacy(), this::trainingStatus))
                .maxInboundMessageSize(4 << 20)
                .build()
                .start();
        if (config.http().port() >= 0) {
            http = new InferenceHttpServer(config.http().host(), config.http().port(), (int) config.http().maxBodyBytes(),
                    config.http().requestTimeout(), serving, metrics::predictionServed, security == null ? null
                    : new HttpSecurity(security.credentials(), security.appToken(), security.adminToken()));
            http.start(); // a taken port: start() closes the database, broker and gRPC behind it
        }
        if (current == null) {
            current = registry.promote(model, initialVersion().version(), Stage.PRODUCTION);
        } else {
            if (served.equals(model)) {
                serving.update(current, registry.globalParameters(current));
            }
            announcer.announce(current);
        }
        batch.start();
        rollouts.start();
        if (follower != null) {
            follower.start();
        }
        if (drift != null) {
            drift.start();
        }
        log.info("coordinator started security={} grpc={}:{} http={} mqtt={} metrics={} dashboard={} model={} version={} strategy={} db={}",
                security == null ? "INSECURE (plaintext, bodies believed)" : "mtls", config.grpc().host(),
                server.getPort(), http == null ? "off" : config.http().host() + ":" + http.port(), broker.url(),
                metricsServer == null ? "off" : "http://" + config.metrics().host() + ":" + metricsServer.port() + "/metrics",
                dashboardUrl().orElse("off"), model, current.version(),
                rounds.strategyName(), config.database().isEmpty() ? "h2" : "external");
        return this;
    }

    /** Watches the fleet's drift statistics against the held-out reference, and retrains on the configured triggers. */
    private void watchDrift(Dataset heldOut, Announcements announcements, FleetReports reports, FleetMetrics fleetMetrics) {
        String model = config.model().name();
        int classes = config.model().spec().classes();
        HeldOutReference reference = new HeldOutReference(heldOut, config.model().spec(), config.model().pipeline());
        drift = new DriftMonitor(model, config.monitor(), reference,
                v -> reference.statistics(registry.pushedParameters(registry.requireVersion(model, v))),
                () -> registry.current(model).map(ModelVersion::version).orElse(0L), devices::labels, store, events, fleetMetrics,
                Clock.systemUTC());
        announcements.driftBins(() -> Optional.of(drift.bins(classes)));
        reports.statistics(stats -> drift.parse(stats, classes));
        reports.addListener(drift::observe);
        triggers = new RetrainTriggers(model, config.monitor().retrain(), events, fleetMetrics, Clock.systemUTC(), n -> trigger(model, n), drift);
    }

    private ModelVersion initialVersion() {
        Engines.pytorch();
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (FlockModel initial = new FlockModel(config.model().spec(), "initial")) {
            var params = initial.parameters();
            Path file = config.model().initial();
            if (file != null) {
                params = ConfigException.wrap("model.initial", () -> {
                    try {
                        return Codecs.FP32.decode(Files.readAllBytes(file), initial.parameters());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                log.info("model={} starts from the parameters in {}", config.model().name(), file);
            }
            return registry.publish(config.model().name(), Candidate.of(config.model().spec(), config.model().pipeline(), params,
                    evaluator == null ? null : evaluator.evaluate(params)));
        }
    }

    private Map<String, Map<String, Long>> stageCounts() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (String m : store.models()) {
            out.put(m, store.stageCounts(m));
        }
        return out;
    }

    /** @return "stopped: why" when the privacy budget stopped training, "running" while a schedule runs, else "idle" */
    private synchronized String trainingStatus() {
        var stopped = rounds.privacy().stopped();
        if (stopped.isPresent()) {
            return "stopped: " + stopped.get();
        }
        TrainingSchedule s = runningSchedule();
        if (leader != null && s == null) {
            return "standby: replica " + leader.replica() + " does not hold the lease";
        }
        return s != null && !s.finished() ? "running" : "idle";
    }

    /** @return the configured strategy; with central differential privacy its mean clips and noises ({@link CentralDp}) */
    private static Strategy strategy(CoordinatorConfig config) {
        Strategy s = config.strategy().build();
        PrivacyConfig p = config.privacy();
        if (p.mode() != PrivacyConfig.Mode.CENTRAL) {
            return s;
        }
        double clip = config.strategy().plan().clipNorm();
        NoiseRandom noise = new NoiseRandom();
        return s.withAggregators(s.name() + "+central-dp(C=" + clip + ", z=" + p.noiseMultiplier() + ")",
                layout -> new CentralDp(layout, clip, p.noiseMultiplier(), noise));
    }

    /**
     * Runs rounds on the configured schedule in the background until {@link #close()}.
     *
     * @param limit rounds to run, 0 = no limit (in manual mode: only these); with replicas ({@code lease.mode}), per lease
     *              tenure: the lease loop starts here, and each time this replica gains the lease a schedule with this
     *              limit starts, first finishing the round the store holds open
     * @return the schedule; with replicas the one running now, null while another replica holds the lease
     */
    public synchronized TrainingSchedule startSchedule(long limit) {
        scheduleLimit = limit;
        if (leader != null) {
            leader.start();
            return leader.schedule();
        }
        if (schedule == null) {
            schedule = newSchedule().start();
        }
        return schedule;
    }

    /** @return a new, unstarted schedule of the configured kind */
    private TrainingSchedule newSchedule() {
        CoordinatorConfig.Schedule s = config.schedule();
        return new TrainingSchedule(trainer, TrainingSchedule.Mode.valueOf(s.mode().toUpperCase(Locale.ROOT)), s.interval(),
                scheduleLimit).holdWhile(() -> rollouts.active().isPresent());
    }

    /** @return the schedule running in this process: of replicas, the lease holder's; null when none */
    private TrainingSchedule runningSchedule() {
        return leader != null ? leader.schedule() : schedule;
    }

    /** Queues rounds on the schedule (the Admin service's TriggerRounds). */
    private synchronized long trigger(String model, int count) {
        TrainingSchedule schedule = runningSchedule();
        if (leader != null && schedule == null) {
            throw new RoundClosedException("not_holder", "replica " + leader.replica() + " does not run the rounds of "
                    + config.model().name() + ": trigger them on the lease holder");
        }
        if (schedule == null || schedule.finished()) {
            throw new RoundClosedException("no_schedule", "this coordinator runs no training schedule"
                    + (schedule == null ? " (embedded: rounds are run by its owner)" : " (its rounds are done)"));
        }
        if (!model.equals(config.model().name())) {
            throw new ModelNotFoundException("no model named '" + FieldLimits.echo(model) + "' trains here");
        }
        return schedule.trigger(count);
    }

    /**
     * Stores, signs and makes production parameters as the next version of the model, outside any round (a
     * model trained elsewhere, for example).
     *
     * @return the new version
     */
    public ModelVersion publish(ModelParameters parameters) {
        ModelVersion v = registry.publish(config.model().name(), Candidate.of(config.model().spec(), config.model().pipeline(),
                parameters, evaluator == null ? null : evaluator.evaluate(parameters)));
        return registry.promote(v.model(), v.version(), Stage.PRODUCTION);
    }

    /** @return the bound gRPC port */
    public int port() {
        return server.getPort();
    }

    /** @return the bound REST inference (KServe v2) port, -1 when off */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** @return the fleet dashboard's URL (on the metrics server), empty when metrics are off */
    public Optional<String> dashboardUrl() {
        return metricsServer == null ? Optional.empty() : Optional.of("http://" + config.metrics().host() + ":" + metricsServer.port() + "/dashboard");
    }

    /** @return the bound metrics port, -1 when off */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /** @return whether the coordinator's broker connection is up now */
    public boolean mqttConnected() {
        return link.isConnected();
    }

    /** @return the broker URL agents should use */
    public String mqttUrl() {
        return broker.url();
    }

    /** @return the client ids of the embedded broker's connected sessions; empty for an external or open broker */
    public java.util.List<String> brokerSessions() {
        return broker instanceof io.flock.coordinator.mqtt.EmbeddedBroker e ? e.connectedClients() : java.util.List.of();
    }

    /** @return the round engine (its privacy ledger and secure sessions; it trains unless async.enabled) */
    public RoundEngine rounds() {
        return rounds;
    }

    /** @return what trains the model: the round engine, or the asynchronous engine when async.enabled */
    public TrainingEngine trainer() {
        return trainer;
    }

    /** @return registered and available devices */
    public DeviceRegistry devices() {
        return devices;
    }

    /** @return the serving of offloaded predictions */
    public ModelServing serving() {
        return serving;
    }

    /** @return the offload calibration, null when no other model is served or there is no held-out set */
    public OffloadAdvisor offloadAdvisor() {
        return advisor;

    }

    /** @return the input sets of batch predictions and their stored predictions */
    public InputSets inputSets() {
        return sets;
    }

    /** @return the model's staged rollouts */
    public RolloutController rollouts() {
        return rollouts;
    }

    /** @return the drift monitor, empty without a held-out set */
    public Optional<DriftMonitor> drift() {
        return Optional.ofNullable(drift);
    }

    /** @return the fleet's log of rollout steps, drift alarms and retraining triggers */
    public FleetEvents events() {
        return events;
    }

    /**
     * Stores and signs parameters as the next version of the model, as a CANDIDATE for a staged rollout (a model
     * trained elsewhere, for example).
     *
     * @return the new version
     */
    public ModelVersion publishCandidate(ModelParameters parameters) {
        return registry.publish(config.model().name(), Candidate.of(config.model().spec(), config.model().pipeline(),
                parameters, evaluator == null ? null : evaluator.evaluate(parameters)));
    }

    /** @return the model registry */
    public ModelRegistry registry() {
        return registry;
    }

    /** @return the durable store */
    public FlockStore store() {
        return store;
    }

    /** @return the device CA, tokens and trust; empty in insecure mode */
    public Optional<CoordinatorSecurity> security() {
        return Optional.ofNullable(security);
    }

    /** @return the X.509-encoded public key agents verify artifacts with */
    public byte[] publicKey() {
        return signer.publicKey();
    }

    /** @return the configuration this server runs with */
    public CoordinatorConfig config() {
        return config;
    }

    /** Closes what a failed start opened, each part on its own, the database last. */
    private void abandon() {
        List<AutoCloseable> parts = new ArrayList<>();
        if (server != null) {
            parts.add(server::shutdownNow);
        }
        AutoCloseable roundsPart = trainer == null ? null : trainer::close;
        for (AutoCloseable c : new AutoCloseable[] {follower, leader, http, batch, rollouts, drift, roundsPart, metricsServer, link, broker, serving, evaluator,
            store}) {
            if (c != null) {
                parts.add(c);
            }
        }
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing after a failed start: {}", e.toString());
            }
        }
        server = null;
        http = null;
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        if (follower != null) {
            follower.close();
        }
        if (leader != null) {
            leader.close(); // stops its schedule, then releases the lease so another replica takes over at once
        }
        if (schedule != null) {
            schedule.close();
            schedule = null;
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (http != null) {
            http.close();
            http = null;
        }
        batch.close();
        rollouts.close();
        if (drift != null) {
            drift.close();
        }
        trainer.close(); // lets the last version's scoring reach the store before it closes
        if (metricsServer != null) {
            metricsServer.close();
        }
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
