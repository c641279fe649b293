package io.flock.coordinator;

import io.flock.core.codec.Codecs;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.link.Topics;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.TrainingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a coordinator needs, resolved and validated. Build it with {@link #from(Settings)} over
 * {@link #defaults()}; the compact constructor names the bad key and value.
 *
 * @param grpcPort             gRPC listen port, 0 = any free port
 * @param grpcHost             gRPC bind address
 * @param dataDir              state directory: H2 database, signing keys
 * @param databaseUrl          JDBC URL; empty = H2 file in dataDir
 * @param mqttUrl              external broker URL (tcp://host:port); empty = start the embedded broker
 * @param embeddedMqttPort     embedded broker port, 0 = any free port
 * @param modelName            name of the model this coordinator trains
 * @param modelSpec            network of that model
 * @param pipeline             feature pipeline of that model
 * @param artifactCodec        codec of pushed artifacts
 * @param updateCodec          codec devices use for updates
 * @param devicesPerRound      devices that receive a train task per round
 * @param minResults           results that close a round early; at most devicesPerRound
 * @param roundTimeout         deadline of a round
 * @param training             local training hyper-parameters sent to devices
 * @param evalData             directory with t10k IDX files for held-out evaluation; null = none
 * @param maxUpdateBytes       largest accepted update stream
 * @param chunkBytes           artifact chunk size on MQTT and gRPC
 * @param pushBroadcast        true: chunks go to every device on MQTT; false: announce only, devices fetch over gRPC
 * @param enrollmentToken      token devices must present to register; empty = open enrollment
 * @param seed                 seed for the initial model and device selection
 */
public record CoordinatorConfig(int grpcPort, String grpcHost, Path dataDir, String databaseUrl, String mqttUrl,
                                int embeddedMqttPort, String modelName, ModelSpec modelSpec, FeaturePipeline pipeline,
                                String artifactCodec, String updateCodec, int devicesPerRound, int minResults,
                                Duration roundTimeout, TrainingConfig training, Path evalData, long maxUpdateBytes,
                                int chunkBytes, boolean pushBroadcast, String enrollmentToken, long seed) {
    /** Validates ranges and names; the message names the key. */
    public CoordinatorConfig {
        ConfigException.require(grpcPort >= 0 && grpcPort <= 65535, "grpc.port", grpcPort);
        ConfigException.require(embeddedMqttPort >= 0 && embeddedMqttPort <= 65535, "mqtt.embedded-port", embeddedMqttPort);
        ConfigException.require(dataDir != null, "data-dir", dataDir);
        ConfigException.require(devicesPerRound >= 1, "round.devices", devicesPerRound);
        ConfigException.require(minResults >= 1 && minResults <= devicesPerRound, "round.min-results", minResults);
        ConfigException.require(!roundTimeout.isNegative() && !roundTimeout.isZero(), "round.timeout", roundTimeout);
        ConfigException.require(maxUpdateBytes >= 1024, "limits.max-update-bytes", maxUpdateBytes);
        ConfigException.require(chunkBytes >= 1024 && chunkBytes <= (4 << 20) - 4096, "push.chunk-bytes", chunkBytes);
        ConfigException.require(mqttUrl.isEmpty() || mqttUrl.matches("(tcp|ssl|ws|wss)://.+"), "mqtt.url", mqttUrl);
        try {
            Topics.segment(modelName);
            Codecs.byName(artifactCodec);
            Codecs.byName(updateCodec);
        } catch (RuntimeException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** @return every key with its default value */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("grpc.port", "7443");
        d.put("grpc.host", "127.0.0.1");
        d.put("data-dir", ".flock/coordinator");
        d.put("database.url", "");
        d.put("mqtt.url", "");
        d.put("mqtt.embedded-port", "1883");
        d.put("model.name", "fmnist-mlp");
        d.put("model.spec", "mlp:784-200-200-10");
        d.put("model.pipeline", "scale:255");
        d.put("push.codec", "int8");
        d.put("push.chunk-bytes", "65536");
        d.put("push.mode", "broadcast");
        d.put("update.codec", "fp32");
        d.put("round.devices", "10");
        d.put("round.min-results", "10");
        d.put("round.timeout", "60s");
        d.put("training.learning-rate", "0.1");
        d.put("training.batch-size", "10");
        d.put("training.local-epochs", "1");
        d.put("eval.data-dir", "");
        d.put("limits.max-update-bytes", "64MiB");
        d.put("enrollment-token", "");
        d.put("seed", "0");
        return d;
    }

    /** @throws ConfigException naming the bad key */
    public static CoordinatorConfig from(Settings s) {
        return ConfigException.wrap(() -> new CoordinatorConfig(s.integer("grpc.port"), s.string("grpc.host"), s.path("data-dir"),
                    s.string("database.url"), s.string("mqtt.url"), s.integer("mqtt.embedded-port"),
                    s.string("model.name"), ModelSpec.parse(s.string("model.spec")),
                    FeaturePipeline.parse(s.string("model.pipeline")), s.string("push.codec"), s.string("update.codec"),
                    s.integer("round.devices"), s.integer("round.min-results"), s.duration("round.timeout"),
                    new TrainingConfig((float) s.decimal("training.learning-rate"), s.integer("training.batch-size"),
                            s.integer("training.local-epochs")),
                    s.path("eval.data-dir"), s.bytes("limits.max-update-bytes"), (int) s.bytes("push.chunk-bytes"),
                    pushMode(s.string("push.mode")),
                    s.string("enrollment-token"), Long.parseLong(s.string("seed"))));
    }

    private static boolean pushMode(String mode) {
        return switch (mode) {
            case "broadcast" -> true;
            case "announce" -> false;
            default -> throw new ConfigException("push.mode must be broadcast or announce, got '" + mode + "'");
        };
    }

    /** @return the JDBC URL to use: the configured one, or an H2 file in the data directory */
    public String jdbcUrl() {
        return databaseUrl.isEmpty() ? "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("flock") + ";DB_CLOSE_DELAY=0" : databaseUrl;
    }
}
