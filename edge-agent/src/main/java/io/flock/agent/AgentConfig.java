package io.flock.agent;

import io.flock.agent.training.PlanLimits;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.link.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an edge agent needs, resolved and validated; the compact constructor names the bad key.
 *
 * @param deviceId          this device's id (a topic-safe name)
 * @param hardware          hardware label reported at registration
 * @param coordinator       coordinator gRPC address host:port
 * @param mqttUrl           broker URL
 * @param model             model the device follows
 * @param dataDir           private training data: IDX (train-images/labels) or *.csv files; null = no training
 * @param stateDir          last good model and outbox
 * @param publicKeyFile     the coordinator's public key; null only when a verifier is passed in code
 * @param localApiPort      local prediction gRPC port on 127.0.0.1; 0 = any free port, -1 = off
 * @param offloadThreshold  offload when the local confidence (max probability) is below this, 0..1 (0 = never); null =
 *                          follow the threshold the coordinator calibrates and announces ({@link #UNADVISED_THRESHOLD}
 *                          until it does)
 * @param offloadTimeout    how long an offloaded prediction may take before the local answer is used
 * @param chunkWait         how long to wait for missing MQTT chunks before fetching the rest over gRPC
 * @param fetchOnDemand     true: load a new version only when a train task needs it (announcements are noted)
 * @param enrollmentToken   token presented at registration
 * @param telemetryInterval how often operational telemetry is reported; zero = never
 * @param seed              seeds local shuffling
 * @param metricsPort       Prometheus {@code /metrics} port on 127.0.0.1; 0 = any free port, -1 = off
 * @param training          the largest training plan the device accepts; larger tasks are rejected
 * @param batch             the batch prediction sets the device pulls, and how often
 */
public record AgentConfig(String deviceId, String hardware, String coordinator, String mqttUrl, String model, Path dataDir,
                          Path stateDir, Path publicKeyFile, int localApiPort, Double offloadThreshold,
                          Duration offloadTimeout, Duration chunkWait, boolean fetchOnDemand, String enrollmentToken,
                          Duration telemetryInterval,
                          long seed, int metricsPort, PlanLimits training, Batch batch) {
    /** Which device this is and where it connects, with the enrollment token redacted: a config may be logged, a token never. */
    @Override
    public String toString() {
        return "AgentConfig[deviceId=" + deviceId + ", model=" + model + ", coordinator=" + coordinator + ", mqttUrl=" + mqttUrl
                + ", stateDir=" + stateDir + ", publicKeyFile=" + publicKeyFile + ", enrollmentToken="
                + (enrollmentToken == null || enrollmentToken.isEmpty() ? "(none)" : "(redacted)") + "]";
    }

    /** Validates ranges and names. */
    public AgentConfig {
        try {
            Topics.segment(deviceId);
            Topics.segment(model);
        } catch (RuntimeException e) {
            throw new ConfigException("invalid device-id or model: " + e.getMessage());
        }
        ConfigException.require(coordinator.matches("[^:]+:\\d{1,5}"), "coordinator", coordinator);
        ConfigException.require(mqttUrl.matches("(tcp|ssl|ws|wss)://.+"), "mqtt.url", mqttUrl);
        ConfigException.require(stateDir != null, "state-dir", stateDir);
        ConfigException.require(localApiPort >= -1 && localApiPort <= 65535, "local-api.port", localApiPort);
        ConfigException.require(offloadThreshold == null || (offloadThreshold >= 0 && offloadThreshold <= 1), "offload.threshold",
                offloadThreshold);
        ConfigException.require(!offloadTimeout.isNegative() && !offloadTimeout.isZero(), "offload.timeout", offloadTimeout);
        ConfigException.require(!chunkWait.isNegative(), "push.chunk-wait", chunkWait);
        ConfigException.require(!telemetryInterval.isNegative(), "telemetry.interval", telemetryInterval);
        ConfigException.require(metricsPort >= -1 && metricsPort <= 65535, "metrics.port", metricsPort);
        ConfigException.require(training != null, "training", training);
        ConfigException.require(batch != null, "batch", batch);
    }

    /**
     * @param sets    names of the input sets whose precomputed predictions the device pulls and answers from; empty = none
     * @param refresh how often the sets are pulled again (a pull first asks whether anything changed)
     */
    public record Batch(List<String> sets, Duration refresh) {
        /** No sets. */
        public static final Batch NONE = new Batch(List.of(), Duration.ofMinutes(5));

        /** Validates the names and the period. */
        public Batch {
            sets = List.copyOf(sets);
            sets.forEach(s -> ConfigException.wrap("batch.sets", () -> Topics.segment(s)));
            ConfigException.require(!refresh.isNegative() && !refresh.isZero(), "batch.refresh", refresh);
        }

        /** @param csv comma-separated names, blank = none */
        static Batch of(String csv, Duration refresh) {
            return new Batch(csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                    .distinct().toList(), refresh);
        }
    }

    /** The config without batch prediction sets. */
    public AgentConfig(String deviceId, String hardware, String coordinator, String mqttUrl, String model, Path dataDir,
                       Path stateDir, Path publicKeyFile, int localApiPort, Double offloadThreshold,
                       Duration offloadTimeout, Duration chunkWait, boolean fetchOnDemand, String enrollmentToken,
                       Duration telemetryInterval, long seed, int metricsPort, PlanLimits training) {
        this(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort, offloadThreshold,
                offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, metricsPort, training, Batch.NONE);
    }

    /** The max-probability threshold an agent that follows the coordinator's advice uses until advice arrives. */
    public static final double UNADVISED_THRESHOLD = 0.6;

    /** The config with metrics off and the default training limits (as embedded and simulated agents run). */
    public AgentConfig(String deviceId, String hardware, String coordinator, String mqttUrl, String model, Path dataDir,
                       Path stateDir, Path publicKeyFile, int localApiPort, Double offloadThreshold,
                       Duration offloadTimeout, Duration chunkWait, boolean fetchOnDemand, String enrollmentToken,
                       Duration telemetryInterval, long seed) {
        this(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort, offloadThreshold,
                offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, -1, PlanLimits.DEFAULTS, Batch.NONE);
    }

    /** @return this config with another local prediction API port (-1 = off) */
    public AgentConfig withLocalApiPort(int port) {
        return new AgentConfig(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, port,
                offloadThreshold, offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, metricsPort, training, batch);
    }

    /** @return this config with another metrics port (-1 = off, 0 = any free port) */
    public AgentConfig withMetricsPort(int port) {
        return new AgentConfig(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort,
                offloadThreshold, offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, port, training, batch);
    }

    /** @return this config with another offload threshold (null = follow the coordinator's announced advice) */
    public AgentConfig withOffloadThreshold(Double threshold) {
        return new AgentConfig(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort,
                threshold, offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, metricsPort, training, batch);
    }

    /** @return this config with another telemetry interval (zero = never) */
    public AgentConfig withTelemetryInterval(Duration interval) {
        return new AgentConfig(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort,
                offloadThreshold, offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, interval, seed, metricsPort, training, batch);
    }

    /** @return this config with another hardware label (what rollout and drift cohorts select on) */
    public AgentConfig withHardware(String label) {
        return new AgentConfig(deviceId, label, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort,
                offloadThreshold, offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, metricsPort, training, batch);
    }

    /** @return this config with another fetch mode */
    public AgentConfig withFetchOnDemand(boolean onDemand) {
        return new AgentConfig(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort,
                offloadThreshold, offloadTimeout, chunkWait, onDemand, enrollmentToken, telemetryInterval, seed, metricsPort, training, batch);
    }

    /** @return this config with other batch prediction sets */
    public AgentConfig withBatch(Batch sets) {
        return new AgentConfig(deviceId, hardware, coordinator, mqttUrl, model, dataDir, stateDir, publicKeyFile, localApiPort,
                offloadThreshold, offloadTimeout, chunkWait, fetchOnDemand, enrollmentToken, telemetryInterval, seed, metricsPort, training,
                sets);
    }

    private static Double threshold(String value) {
        if (value.equals("announced")) {
            return null;
        }
        try {
            return Double.valueOf(value);
        } catch (NumberFormatException e) {
            throw new ConfigException("offload.threshold must be 'announced' or a number 0..1, got '" + value + "'");
        }
    }

    private static boolean fetchMode(String mode) {
        return switch (mode) {
            case "eager" -> false;
            case "on-demand" -> true;
            default -> throw new ConfigException("push.fetch must be eager or on-demand, got '" + mode + "'");
        };
    }

    /** @return every key with its default */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("device-id", "");
        d.put("hardware", "jvm");
        d.put("coordinator", "127.0.0.1:7443");
        d.put("mqtt.url", "ssl://127.0.0.1:8883");
        d.put("model", "fmnist-mlp");
        d.put("data-dir", "");
        d.put("state-dir", ".flock/agent");
        d.put("public-key", "");
        d.put("local-api.port", "7444");
        d.put("offload.threshold", "announced");
        d.put("offload.timeout", "300ms");
        d.put("push.chunk-wait", "2s");
        d.put("push.fetch", "eager");
        d.put("enrollment-token", "");
        d.put("security.mode", "mtls");
        d.put("ca-file", "");
        d.put("telemetry.interval", "60s");
        d.put("seed", "0");
        d.put("metrics.port", "-1");
        d.put("training.max-local-epochs", String.valueOf(PlanLimits.DEFAULTS.maxLocalEpochs()));
        d.put("training.max-batch-size", String.valueOf(PlanLimits.DEFAULTS.maxBatchSize()));
        d.put("batch.sets", "");
        d.put("batch.refresh", "5m");
        return d;
    }

    /** @throws ConfigException naming the bad key */
    public static AgentConfig from(Settings s) {
        return ConfigException.wrap(() -> new AgentConfig(s.string("device-id"), s.string("hardware"), s.string("coordinator"), s.string("mqtt.url"),
                    s.string("model"), s.path("data-dir"), s.path("state-dir"), s.path("public-key"), s.integer("local-api.port"),
                    threshold(s.string("offload.threshold")), s.duration("offload.timeout"), s.duration("push.chunk-wait"),
                    fetchMode(s.string("push.fetch")),
                    s.string("enrollment-token"), s.duration("telemetry.interval"), Long.parseLong(s.string("seed")),
                    s.integer("metrics.port"),
                    new PlanLimits(s.integer("training.max-local-epochs"), s.integer("training.max-batch-size")),
                    Batch.of(s.string("batch.sets"), s.duration("batch.refresh"))));
    }
}
