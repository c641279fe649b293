package io.flock.coordinator;

import io.flock.coordinator.async.AsyncConfig;
import io.flock.coordinator.lease.LeaseConfig;
import io.flock.coordinator.monitor.MonitorConfig;
import io.flock.coordinator.privacy.PrivacyConfig;
import io.flock.coordinator.rollout.RolloutConfig;
import io.flock.coordinator.secagg.SecAggConfig;
import io.flock.coordinator.serving.BatchingConfig;
import io.flock.coordinator.serving.OffloadAdvisor;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.StrategyConfig;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.InvalidInputException;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.link.Topics;
import io.flock.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a coordinator needs, resolved and validated, one nested record per section of keys (the
 * dotted key {@code round.timeout} is {@code round().timeout()}). Build it with {@link #from(Settings)} over
 * {@link #defaults()}; each section's compact constructor names the bad key and value.
 *
 * @param grpc            gRPC listen address
 * @param dataDir         state directory: H2 database, signing keys
 * @param database        JDBC URL, empty = H2 file in dataDir
 * @param mqtt            broker
 * @param model           the model this coordinator trains
 * @param push            how versions reach devices
 * @param round           round sizes and deadline
 * @param strategy        the federated strategy and its training plan
 * @param registry        artifact variants and promotion
 * @param eval            held-out evaluation
 * @param limits          input limits
 * @param metrics         the Prometheus endpoint
 * @param telemetry       device telemetry retention
 * @param schedule        when rounds run
 * @param serving         how offloaded predictions are batched and cached
 * @param http            the Open Inference Protocol (KServe v2) REST endpoint over the same serving
 * @param batch           batch predictions: how often sets are recomputed, and how large a set may be
 * @param rollout         staged rollouts: stages, soak, health window, gates
 * @param monitor         drift monitoring and retraining triggers
 * @param privacy         differential privacy and its budget
 * @param async           buffered asynchronous training instead of rounds
 * @param security        mTLS and enrollment, or the insecure flag
 * @param lease           whether replicas share the store, and their model leases
 * @param enrollmentToken insecure mode only: a shared token devices must present to Register; empty = open
 * @param seed            seed for the initial model and device selection
 */
public record CoordinatorConfig(Grpc grpc, Path dataDir, String database, Mqtt mqtt, Model model, Push push, Round round,
                                StrategyConfig strategy, Registry registry, Eval eval, Limits limits, Metrics metrics,
                                Telemetry telemetry, Schedule schedule, Serving serving, Http http, Batch batch,
                                RolloutConfig rollout, MonitorConfig monitor, PrivacyConfig privacy, AsyncConfig async,
                                SecurityConfig security, LeaseConfig lease, String enrollmentToken, long seed) {
    /** Validates what spans sections. */
    public CoordinatorConfig {
        ConfigException.require(dataDir != null, "data-dir", dataDir);
        ConfigException.require(!privacy.enabled() || strategy.plan().clipNorm() > 0, "training.clip-norm",
                strategy.plan().clipNorm() + " (privacy.mode=" + privacy.mode().name().toLowerCase() + " needs a clip norm C > 0)");
        ConfigException.require(privacy.mode() != PrivacyConfig.Mode.CENTRAL || !strategy.aggregator().needsEachUpdate(), "strategy.aggregator",
                strategy.aggregator().describe() + " (central differential privacy noises the mean of clipped updates; use mean)");
        strategy.requireFits(round.devices());
        if (async.enabled()) {
            ConfigException.require(!strategy.plan().secure(), "training.secure-aggregation",
                    "true (async.enabled: a buffer of single updates cannot be summed securely)");
            ConfigException.require(privacy.mode() != PrivacyConfig.Mode.CENTRAL, "privacy.mode",
                    "central (async.enabled: the accountant composes sampled rounds; use local)");
            ConfigException.require(!strategy.aggregator().needsEachUpdate(), "strategy.aggregator",
                    strategy.aggregator().describe() + " (async.enabled folds a staleness-weighted mean; use mean)");
            ConfigException.require(!lease.enabled(database), "lease.mode", lease.mode() + " (async.enabled runs on one coordinator:"
                    + " its open tasks are in its memory; set lease.mode=off)");
        }
        TrainingPlan.Teacher teacher = strategy.plan().teacher();
        if (teacher != null) {
            ConfigException.require(!teacher.model().equals(model.name()), "distill.teacher (the model cannot teach itself)", teacher.model());
            ConfigException.require(model.spec().kind() == ModelSpec.Kind.MLP && !model.spec().factorised(),
                    "distill.teacher (distillation trains MLP students; model.spec is " + model.spec() + ")", teacher.model());
        }
        ConfigException.wrap("push.codec", () -> {
            CompressionPipeline.parse(push.codec()).check(model.spec());
            return null;
        });
        for (String v : registry.variants()) {
            ConfigException.wrap("registry.variants", () -> {
                CompressionPipeline.parse(v).check(model.spec());
                return null;
            });
        }
    }

    /** The main sections, with the database URL's password and the enrollment token redacted: a config may be logged, a secret never. */
    @Override
    public String toString() {
        return "CoordinatorConfig[grpc=" + grpc + ", dataDir=" + dataDir + ", database=" + JdbcFlockStore.redacted(database) + ", mqtt=" + mqtt
                + ", model=" + model + ", push=" + push + ", round=" + round + ", security=" + security + ", seed=" + seed + ", enrollmentToken="
                + (enrollmentToken == null || enrollmentToken.isEmpty() ? "(none)" : "(redacted)") + "]";
    }

    /** @param host bind address, @param port 0 = any free port */
    public record Grpc(String host, int port) {
        /** Validates the port. */
        public Grpc {
            ConfigException.require(port >= 0 && port <= 65535, "grpc.port", port);
        }
    }

    /** @param url external broker tcp://host:port, empty = start the embedded broker; @param embeddedPort 0 = any */
    public record Mqtt(String url, int embeddedPort) {
        /** Validates the URL and port. */
        public Mqtt {
            ConfigException.require(url.isEmpty() || url.matches("(tcp|ssl|ws|wss)://.+"), "mqtt.url", url);
            ConfigException.require(embeddedPort >= 0 && embeddedPort <= 65535, "mqtt.embedded-port", embeddedPort);
        }
    }

    /** @param name model name, @param spec its network, @param pipeline its feature pipeline */
    /**
     * @param name     model name (an MQTT topic segment)
     * @param spec     network
     * @param pipeline feature pipeline
     * @param initial  fp32 parameter file (the registry's exact format, e.g. written by {@code bin/flock compress}) the
     *                 first version starts from; null = a seeded random initialisation
     */
    public record Model(String name, ModelSpec spec, FeaturePipeline pipeline, Path initial) {
        /** Validates the name and that the initial file exists. */
        public Model {
            ConfigException.wrap(() -> Topics.segment(name));
            ConfigException.require(initial == null || Files.isRegularFile(initial), "model.initial (no such file)", initial);
        }
    }

    /**
     * @param codec      the pushed artifact's compression pipeline ({@link CompressionPipeline}: a codec name such as
     *                   int8, or steps such as prune:0.9+int8)
     * @param chunkBytes chunk size
     * @param broadcast  chunks on MQTT (else announce only)
     */
    public record Push(String codec, int chunkBytes, boolean broadcast) {
        /** Validates the pipeline and chunk size. */
        public Push {
            ConfigException.wrap("push.codec", () -> {
                if (CompressionPipeline.parse(codec).factorises()) {
                    throw new InvalidInputException("a factorised model cannot be pushed for training (devices train the dense"
                            + " network); sign it as a registry.variants entry");
                }
                return codec;
            });
            ConfigException.require(chunkBytes >= 1024 && chunkBytes <= (4 << 20) - 4096, "push.chunk-bytes", chunkBytes);
        }
    }

    /**
     * @param devices      sent a task per round
     * @param minResults   close a round early
     * @param minAvailable devices that must be online before a round opens (the round waits for them up to its deadline)
     * @param timeout      deadline
     */
    public record Round(int devices, int minResults, int minAvailable, Duration timeout) {
        /** Validates the sizes and the deadline. */
        public Round {
            ConfigException.require(devices >= 1, "round.devices", devices);
            ConfigException.require(minResults >= 1 && minResults <= devices, "round.min-results", minResults);
            ConfigException.require(minAvailable >= 1, "round.min-available", minAvailable);
            ConfigException.require(!timeout.isNegative() && !timeout.isZero(), "round.timeout", timeout);
        }
    }

    /**
     * @param variants     codecs of extra artifact variants
     * @param autoPromote  a round's version becomes production
     * @param keepVersions versions per model whose artifacts are kept (production and canary always); older ones keep
     *                     their metadata and digests
     */
    public record Registry(List<String> variants, boolean autoPromote, int keepVersions) {
        /** Validates the codec names and the retention. */
        public Registry {
            ConfigException.require(keepVersions >= 2, "registry.keep-versions", keepVersions);
            variants = List.copyOf(variants);
            variants.forEach(c -> ConfigException.wrap("registry.variants", () -> CompressionPipeline.parse(c)));
        }
    }

    /** @param dataDir directory with t10k IDX files; null = no held-out evaluation */
    public record Eval(Path dataDir) {
    }

    /**
     * @param maxUpdateBytes largest accepted update stream
     * @param intakeBudget   bytes all uploads in flight may hold at once (received and being decoded); past it an
     *                       upload gets RESOURCE_EXHAUSTED and the device retries
     */
    public record Limits(long maxUpdateBytes, long intakeBudget) {
        /** Validates the sizes. */
        public Limits {
            ConfigException.require(maxUpdateBytes >= 1024, "limits.max-update-bytes", maxUpdateBytes);
            ConfigException.require(intakeBudget >= maxUpdateBytes, "limits.intake-budget", intakeBudget
                    + " (must be at least limits.max-update-bytes=" + maxUpdateBytes + ")");
        }
    }

    /** @param host bind address, @param port 0 = any free port, -1 = off */
    public record Metrics(String host, int port) {
        /** Validates the port. */
        public Metrics {
            ConfigException.require(port >= -1 && port <= 65535, "metrics.port", port);
        }
    }

    /** @param retention how long device telemetry windows are kept */
    public record Telemetry(Duration retention) {
        /** Validates the retention. */
        public Telemetry {
            ConfigException.require(!retention.isNegative() && !retention.isZero(), "telemetry.retention", retention);
        }
    }

    /**
     * @param mode     continuous (a round after a round), interval (a round every {@code interval}) or manual (none
     *                 until asked: {@code --rounds N} at start, {@code bin/flock models train} later)
     * @param interval time between round starts in interval mode
     */
    public record Schedule(String mode, Duration interval) {
        /** Known modes. */
        public static final List<String> MODES = List.of("continuous", "interval", "manual");

        /** Validates the mode. */
        public Schedule {
            ConfigException.require(MODES.contains(mode), "schedule.mode", mode + " (known: " + String.join(", ", MODES) + ")");
            ConfigException.require(!interval.isNegative() && !interval.isZero(), "schedule.interval", interval);
        }
    }

    /**
     * @param model        the registry model whose production version answers offloaded predictions (a heavier cloud
     *                     model, never pushed to devices); empty = the model this coordinator trains
     * @param batching     dynamic batching of offloaded predictions
     * @param cacheEntries answers the response cache keeps at most, 0 = no cache
     * @param cacheBytes   bytes it keeps at most (inputs and answers)
     * @param offload      what the devices' offload threshold is calibrated for, when {@code model} is another model and
     *                     eval.data-dir holds a held-out set
     */
    public record Serving(String model, BatchingConfig batching, int cacheEntries, long cacheBytes, OffloadAdvisor.Target offload) {
        /** Validates the model name and the cache bounds. */
        public Serving {
            if (!model.isEmpty()) {
                ConfigException.wrap("serving.model", () -> Topics.segment(model));
            }
            ConfigException.require(cacheEntries >= 0, "serving.cache-entries", cacheEntries);
            ConfigException.require(cacheBytes >= 0, "serving.cache-bytes", cacheBytes);
        }
    }

    /**
     * @param host           bind address
     * @param port           0 = any free port, -1 = off
     * @param maxBodyBytes   largest request body; a larger one is answered 413
     * @param requestTimeout each request's deadline in serving; past it the answer is 504
     */
    public record Http(String host, int port, long maxBodyBytes, Duration requestTimeout) {
        /** Validates the port, the body limit and the timeout. */
        public Http {
            ConfigException.require(port >= -1 && port <= 65535, "http.port", port);
            ConfigException.require(maxBodyBytes >= 1024 && maxBodyBytes <= 1L << 30, "http.max-body-bytes",
                    maxBodyBytes + " (1KiB to 1GiB)");
            ConfigException.require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "http.request-timeout", requestTimeout);
        }
    }

    /**
     * @param interval    how often every input set's predictions are recomputed; zero = only when a set is registered
     *                    or the production version of the served or the device model changes
     * @param maxRows     rows an input set may have
     * @param maxSetBytes bytes an input set's file may have, as sent and after decompression
     */
    public record Batch(Duration interval, int maxRows, long maxSetBytes) {
        /** Validates the bounds. */
        public Batch {
            ConfigException.require(!interval.isNegative(), "batch.interval", interval);
            ConfigException.require(maxRows >= 1, "batch.max-rows", maxRows);
            ConfigException.require(maxSetBytes >= 1024, "batch.max-set-bytes", maxSetBytes);
        }
    }

    /** @return every key with its default value */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("grpc.port", "7443");
        d.put("grpc.host", "127.0.0.1");
        d.put("data-dir", ".flock/coordinator");
        d.put("database.url", "");
        d.put("lease.mode", "auto");
        d.put("lease.ttl", "15s");
        d.put("lease.replica-id", "");
        d.put("mqtt.url", "");
        d.put("mqtt.embedded-port", "8883");
        d.put("model.name", "fmnist-mlp");
        d.put("model.spec", "mlp:784-200-200-10");
        d.put("model.pipeline", "scale:255");
        d.put("model.initial", "");
        d.put("push.codec", "int8");
        d.put("push.chunk-bytes", "65536");
        d.put("push.mode", "broadcast");
        d.put("update.codec", "fp32");
        d.put("round.devices", "10");
        d.put("round.min-results", "10");
        d.put("round.min-available", "1");
        d.put("round.timeout", "60s");
        d.put("strategy.name", "fedavg");
        d.put("strategy.aggregator", "mean");
        d.put("strategy.optimizer", "");
        d.put("strategy.server-learning-rate", "");
        d.put("strategy.momentum", "");
        d.put("strategy.beta1", "");
        d.put("strategy.beta2", "");
        d.put("strategy.tau", "");
        d.put("strategy.trim-beta", "0.2");
        d.put("strategy.krum-f", "0");
        d.put("strategy.krum-m", "0");
        d.put("strategy.update-norm-bound", "0");
        d.put("strategy.buffer-budget", "256MiB");
        d.put("training.learning-rate", "0.1");
        d.put("training.batch-size", "10");
        d.put("training.local-epochs", "1");
        d.put("training.proximal-mu", "0");
        d.put("training.clip-norm", "0");
        d.put("training.secure-aggregation", "false");
        d.put("distill.teacher", "");
        d.put("distill.temperature", "4");
        d.put("distill.alpha", "0.5");
        d.put("registry.variants", "");
        d.put("registry.auto-promote", "true");
        d.put("registry.keep-versions", "20");
        d.put("eval.data-dir", "");
        d.put("limits.max-update-bytes", "64MiB");
        d.put("limits.intake-budget", "256MiB");
        d.put("metrics.host", "127.0.0.1");
        d.put("metrics.port", "9464");
        d.put("telemetry.retention", "168h");
        d.put("schedule.mode", "continuous");
        d.put("schedule.interval", "60s");
        d.put("serving.model", "");
        d.put("serving.max-batch", "16");
        d.put("serving.max-delay", "2ms");
        d.put("serving.workers", "2");
        d.put("serving.queue-capacity", "512");
        d.put("serving.cache-entries", "10000");
        d.put("serving.cache-bytes", "64MiB");
        d.put("serving.offload.max-rate", "0.3");
        d.put("serving.offload.within-points", "0.5");
        d.put("serving.offload.error-margin", "1");
        d.put("http.host", "127.0.0.1");
        d.put("http.port", "8000");
        d.put("http.max-body-bytes", "8MiB");
        d.put("http.request-timeout", "2s");
        d.put("batch.interval", "1h");
        d.put("batch.max-rows", "100000");
        d.put("batch.max-set-bytes", "64MiB");
        RolloutConfig.defaults(d);
        MonitorConfig.defaults(d);
        PrivacyConfig.defaults(d);
        SecAggConfig.defaults(d);
        AsyncConfig.defaults(d);
        d.put("security.mode", "mtls");
        d.put("security.device-validity", "7d");
        d.put("security.hosts", "");
        d.put("enrollment-token", "");
        d.put("seed", "0");
        return d;
    }

    /** @throws ConfigException naming the bad key */
    public static CoordinatorConfig from(Settings s) {
        return ConfigException.wrap(() -> new CoordinatorConfig(
                new Grpc(s.string("grpc.host"), s.integer("grpc.port")),
                s.path("data-dir"), s.string("database.url"),
                new Mqtt(s.string("mqtt.url"), s.integer("mqtt.embedded-port")),
                new Model(s.string("model.name"), ModelSpec.parse(s.string("model.spec")),
                        FeaturePipeline.parse(s.string("model.pipeline")),
                        s.string("model.initial").isEmpty() ? null : Path.of(s.string("model.initial"))),
                new Push(s.string("push.codec"), (int) s.bytes("push.chunk-bytes"), pushMode(s.string("push.mode"))),
                new Round(s.integer("round.devices"), s.integer("round.min-results"), s.integer("round.min-available"),
                        s.duration("round.timeout")),
                StrategyConfig.from(s),
                new Registry(list(s.string("registry.variants")), s.bool("registry.auto-promote"), s.integer("registry.keep-versions")),
                new Eval(s.path("eval.data-dir")),
                new Limits(s.bytes("limits.max-update-bytes"), s.bytes("limits.intake-budget")),
                new Metrics(s.string("metrics.host"), s.integer("metrics.port")),
                new Telemetry(s.duration("telemetry.retention")),
                new Schedule(s.string("schedule.mode"), s.duration("schedule.interval")),
                new Serving(s.string("serving.model"), new BatchingConfig(s.integer("serving.max-batch"), s.duration("serving.max-delay"), s.integer("serving.workers"),
                        s.integer("serving.queue-capacity")), s.integer("serving.cache-entries"), s.bytes("serving.cache-bytes"),
                        new OffloadAdvisor.Target(s.decimal("serving.offload.max-rate"), s.decimal("serving.offload.within-points"),
                                s.decimal("serving.offload.error-margin"))),
                new Http(s.string("http.host"), s.integer("http.port"), s.bytes("http.max-body-bytes"), s.duration("http.request-timeout")),
                new Batch(s.duration("batch.interval"), s.integer("batch.max-rows"), s.bytes("batch.max-set-bytes")),
                RolloutConfig.from(s), MonitorConfig.from(s), PrivacyConfig.from(s), AsyncConfig.from(s),
                new SecurityConfig(SecurityConfig.mode(s.string("security.mode")), s.duration("security.device-validity"),
                        list(s.string("security.hosts"))),
                new LeaseConfig(s.string("lease.mode"), s.duration("lease.ttl"), s.string("lease.replica-id")),
                s.string("enrollment-token"), Long.parseLong(s.string("seed"))));
    }

    private static List<String> list(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static boolean pushMode(String mode) {
        return switch (mode) {
            case "broadcast" -> true;
            case "announce" -> false;
            default -> throw new ConfigException("push.mode must be broadcast or announce, got '" + mode + "'");
        };
    }

    /**
     * @return the JDBC URL to use: the configured one, or an H2 file in the data directory. H2 does not close
     *         itself at JVM exit (DB_CLOSE_ON_EXIT=FALSE): the coordinator's ordered shutdown closes it last. H2's
     *         RETENTION_TIME stays at its 45 s: with 5 s, a SIGKILL right after an acknowledgement lost the update
     *         on a large file (CoordinatorDaemonIT, once under load), though the file stayed 7x smaller.
     */
    public String jdbcUrl() {
        return database.isEmpty() ? "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("flock")
                + ";DB_CLOSE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" : database;
    }
}
