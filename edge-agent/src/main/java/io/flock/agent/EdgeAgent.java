package io.flock.agent;

import io.flock.agent.api.LocalPredictionService;
import io.flock.agent.artifact.ModelUpdater;
import io.flock.agent.batch.BatchSets;
import io.flock.agent.gateway.DeviceGateway;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.link.AgentMqttLink;
import io.flock.agent.link.ByteCounter;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.link.DeviceLink;
import io.flock.agent.link.WireTap;
import io.flock.agent.metrics.AgentMetrics;
import io.flock.agent.metrics.AnswerLatency;
import io.flock.agent.monitor.WindowStatistics;
import io.flock.agent.offload.AnnouncedOffloadPolicy;
import io.flock.agent.offload.Answer;
import io.flock.agent.offload.BatchLookup;
import io.flock.agent.offload.ConfidenceOffloadPolicy;
import io.flock.agent.offload.OffloadRouter;
import io.flock.agent.outbox.Outbox;
import io.flock.agent.security.DeviceCredentials;
import io.flock.agent.security.DeviceEnrollment;
import io.flock.agent.security.TaskGate;
import io.flock.agent.training.PlanCheck;
import io.flock.agent.training.TrainingWorker;
import io.flock.agent.training.UpdateTamper;
import io.flock.core.DaemonThreads;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.model.OffloadAdvice;
import io.flock.core.model.Prediction;
import io.flock.link.wire.Cohorts;
import io.flock.link.wire.OffloadMessages;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.TrainTask;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge agent daemon of one device, wired explicitly: MQTT session, coordinator client, verified
 * model updates, pulled batch prediction sets, local prediction API with offload and fallback, private training and
 * the outbox.
 * {@link #start()} and {@link #close()} are idempotent; close is ordered and bounded.
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeAgent.class);
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(10);
    /** Short: a rejection is reported from the training thread, which other tasks wait for. */
    private static final Duration REJECT_TIMEOUT = Duration.ofSeconds(3);
    /** A whole batch set's pull; a pull that runs out resumes from the rows it received. */
    private static final Duration BATCH_PULL_TIMEOUT = Duration.ofSeconds(60);
    /** Heartbeats after a model change go out within this many ms, at random (see {@link #reportModelChange}). */
    private static final long REPORT_JITTER_MS = 1000;
    /** Answers whose predicted label is kept for the app's feedback. */
    private static final int FEEDBACK_IDS = 4096;
    private final AgentConfig config;
    private final DeviceConditions conditions;
    private final ByteCounter traffic;
    private final LocalModel local = new LocalModel();
    private final ScheduledExecutorService timers;
    private final ExecutorService tasks;
    private final CoordinatorClient coordinator;
    private final ModelUpdater updater;
    private final Outbox outbox;
    private final TrainingWorker training;
    private final OffloadRouter router;
    /** Null when the configuration fixes the threshold. */
    private final AnnouncedOffloadPolicy announcedPolicy;
    /** Null when the config names no batch sets. */
    private final BatchSets batch;
    private final DeviceLink mqtt;
    private final DeviceEnrollment enrollment;
    private final TaskGate taskGate;
    private final AgentMetrics metrics;
    private final WindowStatistics statistics = new WindowStatistics(FEEDBACK_IDS);
    /** The labels rollout cohorts select on, as registered. */
    private final Map<String, String> labels;
    private Server localApi;
    /** What the last delivered telemetry covered (touched by the telemetry task only, which the worker runs one at a time). */
    private AnswerLatency.Totals reportedLatency = AnswerLatency.Totals.ZERO;
    private long reportedRejections;
    private long reportedErrors;
    private boolean started;
    private long restoredVersion;

    /**
     * @param config   resolved configuration
     * @param verifier checks artifacts against the coordinator's public key
     * @param tap      sees every payload on the device's transports ({@link WireTap#NONE} for none)
     */
    public EdgeAgent(AgentConfig config, ArtifactVerifier verifier, WireTap tap) {
        this(config, verifier, tap, DeviceConditions.REAL);
    }

    /**
     * @param conditions emulated compute and links ({@link DeviceConditions#REAL} on a real device)
     */
    public EdgeAgent(AgentConfig config, ArtifactVerifier verifier, WireTap tap, DeviceConditions conditions) {
        this(config, verifier, tap, conditions, null);
    }

    /**
     * @param gateway connections and threads shared with other devices of this process; null for the
     *                device's own (a session, a channel and two threads)
     */
    public EdgeAgent(AgentConfig config, ArtifactVerifier verifier, WireTap tap, DeviceConditions conditions, DeviceGateway gateway) {
        this(config, verifier, tap, conditions, gateway, null);
    }

    /**
     * @param credentials the device's own key, certificate and CA (secure mode, its own connections); null on a gateway
     *                    (which authenticates for it) or in insecure mode
     */
    public EdgeAgent(AgentConfig config, ArtifactVerifier verifier, WireTap tap, DeviceConditions conditions, DeviceGateway gateway,
                     DeviceCredentials credentials) {
        this(config, verifier, tap, conditions, gateway, credentials, UpdateTamper.NONE);
    }

    /**
     * <b>Test-only</b>: the one way to give an agent an {@link UpdateTamper} (the simulator's byzantine devices). No
     * configuration key reaches it, and {@code AgentMain} never calls it.
     *
     * @param tamper changes the device's training data and its updates before upload; {@link UpdateTamper#NONE} for an
     *               honest device
     */
    public EdgeAgent(AgentConfig config, ArtifactVerifier verifier, WireTap tap, DeviceConditions conditions, DeviceGateway gateway,
                     DeviceCredentials credentials, UpdateTamper tamper) {
        this.config = config;
        this.conditions = conditions;
        this.traffic = new ByteCounter(tap);
        this.timers = gateway == null ? Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-timers-" + config.deviceId()))
                : gateway.timers();
        this.tasks = gateway == null ? Executors.newSingleThreadExecutor(DaemonThreads.named("flock-train-" + config.deviceId())) : gateway.worker();
        this.coordinator = gateway == null
                ? new CoordinatorClient(config.coordinator(), credentials, config.deviceId(), traffic, conditions::coordinatorReachable)
                : gateway.coordinator(config.deviceId(), traffic, conditions::coordinatorReachable);
        this.updater = new ModelUpdater(config.deviceId(), config.model(), verifier, local, config.stateDir(), coordinator, timers,
                config.chunkWait(), this::reportModelChange, conditions, config.fetchOnDemand());
        this.outbox = new Outbox(config.stateDir().resolve("outbox"), coordinator, gateway == null ? coordinator::upload
                : gateway.route(config.deviceId(), coordinator), timers, config.deviceId(), conditions);
        this.training = new TrainingWorker(config.deviceId(), config.dataDir(), local, updater, outbox, config.seed(), conditions,
                new PlanCheck(config.training()), this::reportRejection, tamper);
        this.batch = config.batch().sets().isEmpty() ? null : new BatchSets(config.deviceId(), config.batch(),
                config.stateDir().resolve("batch"), (set, offset) -> coordinator.fetchBatch(set, offset, 0, BATCH_PULL_TIMEOUT), local::version);
        this.announcedPolicy = config.offloadThreshold() == null
                ? new AnnouncedOffloadPolicy(new ConfidenceOffloadPolicy(AgentConfig.UNADVISED_THRESHOLD)) : null;
        this.router = new OffloadRouter(config.model(), local, announcedPolicy != null ? announcedPolicy
                : new ConfidenceOffloadPolicy(config.offloadThreshold()), this::offload, config.offloadTimeout(),
                batch == null ? BatchLookup.NONE : batch);
        this.enrollment = new DeviceEnrollment(config.deviceId(), credentials, gateway, coordinator, Clock.systemUTC());
        this.taskGate = new TaskGate(config.deviceId(), verifier, System::currentTimeMillis, (task, reason) ->
                reportRejection(task.getTrain(), reason));
        this.mqtt = gateway == null ? new AgentMqttLink(config.mqttUrl(), credentials, config.deviceId(), config.model(), new Handler(),
                traffic, timers)
                : gateway.link(config.deviceId(), config.model(), new Handler());
        this.labels = Map.of("hardware", config.hardware());
        router.observeLocalAnswers((raw, p) -> local.features(raw).map(f -> statistics.observe(f, p)).orElse(""));
        this.metrics = new AgentMetrics(new AgentMetrics.Readings(router::count, local::version, updater::rejections,
                training::rejections, outbox::uploaded, outbox::pending, training::distilled));
    }

    /** Restores the last good model, registers, connects, and opens the local API. */
    public synchronized EdgeAgent start() throws IOException {
        if (started) {
            return this;
        }
        restoredVersion = updater.restoreFromDisk() ? local.version() : 0;
        register(250);
        connect(500);
        outbox.resume();
        if (batch != null) {
            batch.start();
        }
        if (enrollment.renews()) {
            timers.scheduleWithFixedDelay(() -> enrollment.renewIfDue(RPC_TIMEOUT), 1, 1, TimeUnit.MINUTES);
        }
        long every = config.telemetryInterval().toMillis();
        if (every > 0) {
            // the call blocks: it runs on the device's worker, so a gateway's few shared timers stay free for deliveries
            timers.scheduleAtFixedRate(() -> tasks.execute(this::telemetry), every, every, TimeUnit.MILLISECONDS);
        }
        if (config.localApiPort() >= 0) {
            localApi = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", config.localApiPort()))
                    .addService(new LocalPredictionService(router, metrics.latency(), statistics)).build().start();
        }
        if (config.metricsPort() >= 0) {
            metrics.serve(config.metricsPort(), config.deviceId());
        }
        started = true;
        log.info("device={} started model={} version={} localApi={} metrics={}", config.deviceId(), config.model(), local.version(),
                localApi == null ? "off" : "127.0.0.1:" + localApi.getPort(),
                metrics.port() < 0 ? "off" : "http://127.0.0.1:" + metrics.port() + "/metrics");
        return this;
    }

    private void register(long backoffMs) {
        try {
            enrollment.ensureEnrolled(config.hardware(), config.enrollmentToken(), RPC_TIMEOUT);
            coordinator.register(config.hardware(), config.enrollmentToken(), RPC_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            log.info("device={} cannot {} yet ({}), retrying in {} ms", config.deviceId(), enrollment.secure() ? "enroll" : "register",
                    e.getMessage(), backoffMs);
            timers.schedule(() -> register(Math.min(10_000, backoffMs * 2)), backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The first MQTT connect; the session reconnects by itself only after a first success, so retry here. */
    private void connect(long backoffMs) {
        try {
            mqtt.start();
        } catch (RuntimeException e) {
            log.warn("device={} broker unreachable ({}), retrying in {} ms; serving version={} meanwhile", config.deviceId(),
                    e.getMessage(), backoffMs, local.version());
            timers.schedule(() -> connect(Math.min(15_000, backoffMs * 2)), backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Tells the coordinator what the device runs after a load or a rejection, within
     * {@link #REPORT_JITTER_MS} at random: a push lands on every device at once, and a fleet that
     * reported at once would hit the coordinator with all its heartbeats in the same instant.
     * The heartbeat carries the state when it goes out: two changes in quick succession send their
     * heartbeats in random order, and the later one must not carry the older state. Skipped once the
     * agent is closing.
     */
    private void reportModelChange() {
        try {
            timers.schedule(this::heartbeat, ThreadLocalRandom.current().nextLong(REPORT_JITTER_MS), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("device={} is closing; no heartbeat", config.deviceId());
        }
    }

    /**
     * Predictions are totals since start; rejections, errors and the mean latency cover the window since the last delivered
     * report; the drift statistics cover the window since the last report, delivered or not (a window that was not
     * delivered is dropped, not added to the next: windows stay comparable).
     */
    private void telemetry() {
        AnswerLatency.Totals latency = metrics.latency().totals();
        long rejections = updater.rejections() + training.rejections();
        long errors = router.errors();
        long now = System.currentTimeMillis();
        try {
            Telemetry.Builder t = Telemetry.newBuilder();
            statistics.drain(now).ifPresent(t::setStatistics);
            coordinator.telemetry(t.setDeviceId(config.deviceId()).setUnixMs(now)
                    .setModel(config.model()).setRunningVersion(local.version())
                    .setLocalPredictions(router.count(Answer.Source.LOCAL))
                    .setOffloadedPredictions(router.count(Answer.Source.OFFLOADED))
                    .setFallbackPredictions(router.count(Answer.Source.FALLBACK))
                    .setBatchPredictions(router.count(Answer.Source.BATCH))
                    .setRejections(rejections - reportedRejections)
                    .setErrors(errors - reportedErrors)
                    .setMeanLatencyMs(latency.meanMillisSince(reportedLatency))
                    .setBatteryFraction(-1).build(), RPC_TIMEOUT);
            reportedLatency = latency;
            reportedRejections = rejections;
            reportedErrors = errors;
        } catch (RuntimeException e) {
            log.debug("device={} telemetry not delivered: {}", config.deviceId(), e.getMessage());
        }
    }

    /** Tells the coordinator at once, so the round need not wait for this device's deadline; best effort. */
    private void reportRejection(TrainTask task, String reason) {
        try {
            coordinator.rejectTask(TaskRejection.newBuilder().setDeviceId(config.deviceId()).setTaskId(task.getTaskId())
                    .setRound(task.getRound()).setModel(task.getModel()).setReason(reason).build(), REJECT_TIMEOUT);
        } catch (RuntimeException e) {
            log.info("device={} could not report the rejection of task {}: {}", config.deviceId(), task.getTaskId(), e.getMessage());
        }
    }

    private void heartbeat() {
        try {
            var b = Heartbeat.newBuilder().setDeviceId(config.deviceId()).setModel(config.model())
                    .setRunningVersion(local.version()).setBatteryFraction(-1).setLastRejection(updater.lastRejection());
            local.current().ifPresent(l -> b.setRunningSha256(l.sha256()));
            coordinator.heartbeat(b.build(), RPC_TIMEOUT);
        } catch (RuntimeException e) {
            log.debug("device={} heartbeat failed: {}", config.deviceId(), e.getMessage());
        }
    }

    private Prediction offload(String model, float[] raw, Duration timeout) {
        PredictRequest request = PredictionMessages.request(model, config.deviceId(), raw);
        Duration link = conditions.uplink(request.getSerializedSize()).plus(conditions.downlink(64)); // a response is ~60 bytes
        if (link.compareTo(timeout) >= 0) {
            DeviceConditions.pause(timeout);
            throw io.grpc.Status.DEADLINE_EXCEEDED.withDescription("link too slow for the offload timeout").asRuntimeException();
        }
        DeviceConditions.pause(link);
        return PredictionMessages.prediction(coordinator.predict(request, timeout.minus(link)));
    }

    private void adopt(ModelAnnouncement a) {
        try {
            OffloadAdvice advice = OffloadMessages.advice(a.getOffload());
            announcedPolicy.adopt(advice);
            log.info("device={} offloads below {}={} (calibrated for version={}: offload {} hybrid {} local {} cloud {})", config.deviceId(),
                    advice.score().wireName(), String.format("%.4f", advice.threshold()), a.getVersion(),
                    String.format("%.3f", advice.offloadRate()), String.format("%.4f", advice.hybridAccuracy()),
                    String.format("%.4f", advice.localAccuracy()), String.format("%.4f", advice.cloudAccuracy()));
        } catch (InvalidInputException e) {
            log.warn("device={} ignored the offload advice of version={}: {}", config.deviceId(), a.getVersion(), e.getMessage());
        }
    }

    /**
     * Counts the true label of an earlier answer (what the local API's Feedback does for apps on the device).
     *
     * @param predictionId the answer's id ({@link Answer#predictionId()})
     * @return false when the id is unknown, too old or was reported already
     * @throws InvalidInputException for a label outside the model's classes
     */
    public boolean feedback(String predictionId, int trueLabel) {
        return statistics.feedback(predictionId, trueLabel);
    }

    /** @return the coordinator's offload advice this agent follows, empty when none arrived or the threshold is configured */
    public Optional<OffloadAdvice> offloadAdvice() {
        return announcedPolicy == null ? Optional.empty() : announcedPolicy.advice();
    }

    /**
     * Takes the device off the network or brings it back (its MQTT session; a real device losing power
     * or coverage). Offline, it is not selected for rounds; local predictions keep working.
     */
    public synchronized void setOnline(boolean online) {
        if (online) {
            connect(500);
        } else {
            mqtt.close();
        }
    }

    /** @return whether the MQTT session is connected now */
    public boolean mqttConnected() {
        return mqtt.isConnected();
    }

    /** @return the port of {@code /metrics} on 127.0.0.1, -1 when off */
    public int metricsPort() {
        return metrics.port();
    }

    /** @return this agent's metrics (its own registry) */
    public AgentMetrics metrics() {
        return metrics;
    }

    /** @return the port of the local prediction API, -1 when off */
    public int localApiPort() {
        return localApi == null ? -1 : localApi.getPort();
    }

    /** @return the version restored from disk at start (the last good model), 0 when none */
    public long restoredVersion() {
        return restoredVersion;
    }

    /** @return the prediction router (counts by source) */
    public OffloadRouter router() {
        return router;
    }

    /** @return the pulled batch prediction sets, null when the config names none */
    public BatchSets batchSets() {
        return batch;
    }

    /** @return the model served now */
    public LocalModel localModel() {
        return local;
    }

    /** @return bytes this device sent and received */
    public ByteCounter traffic() {
        return traffic;
    }

    /** @return why the last artifact was rejected, "" when it loaded */
    public String lastRejection() {
        return updater.lastRejection();
    }

    /** @return how this device enrolls and renews */
    public DeviceEnrollment enrollment() {
        return enrollment;
    }

    /** @return the gate train tasks pass (its refusal counts) */
    public TaskGate taskGate() {
        return taskGate;
    }

    /** @return this agent's configuration */
    public AgentConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        mqtt.close();
        if (localApi != null) {
            localApi.shutdown();
            try {
                localApi.awaitTermination(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            localApi.shutdownNow();
            localApi = null;
        }
        metrics.close();
        if (batch != null) {
            batch.close();
        }
        tasks.shutdownNow();
        timers.shutdownNow();
        try {
            tasks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        coordinator.close();
        training.close();
        local.close();
        started = false;
    }

    private final class Handler implements AgentMqttLink.Handler {
        @Override
        public void onAnnouncement(ModelAnnouncement announced, boolean retained) {
            if (!announced.getModel().equals(config.model())) {
                return;
            }
            // a staged rollout's canary is for its cohort only: every device decides with the announced rule
            ModelAnnouncement mine = Cohorts.assigned(announced, config.deviceId(), labels);
            if (mine.hasDriftBins()) {
                try {
                    statistics.adopt(mine.getDriftBins(), System.currentTimeMillis());
                } catch (InvalidInputException e) {
                    log.warn("device={} ignored the drift bins of version={}: {}", config.deviceId(), mine.getVersion(), e.getMessage());
                }
            }
            if (announcedPolicy != null && mine.hasOffload()) {
                adopt(mine);
            }
            updater.onAnnouncement(mine, retained);
        }

        @Override
        public void onChunk(ArtifactChunk chunk) {
            updater.onChunk(chunk);
        }

        @Override
        public void onTask(byte[] signedTask) {
            taskGate.open(signedTask).filter(DeviceTask::hasTrain).ifPresent(task -> tasks.execute(() -> training.run(task.getTrain())));
        }
    }
}
