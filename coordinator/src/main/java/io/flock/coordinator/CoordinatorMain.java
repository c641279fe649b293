package io.flock.coordinator;

import io.flock.coordinator.cli.Launcher;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The coordinator daemon's entry point ({@code bin/flock coordinator}, the container image, the Kubernetes
 * manifest): resolves the configuration (defaults, the YAML file, {@code FLOCK_*} variables, {@code --set}),
 * starts the server and its training schedule, and on SIGTERM or SIGINT stops them in order (schedule,
 * intake, drain, store) within a bounded time.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, version = "flock 0.1.0",
        description = "Run a Flock coordinator: registry, rounds, serving, metrics.")
public final class CoordinatorMain implements Callable<Integer> {
    @Option(names = "--config", description = "YAML config file")
    Path config;

    @Option(names = {"-s", "--set"}, description = "override a key: --set round.devices=5 (repeatable)")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--rounds", description = "rounds to run, then keep serving (default: 0 = as the schedule says, forever);"
            + " in manual mode: rounds queued at start")
    long rounds;

    /** Runs the daemon until a signal; exits 2 with a one-line message for a bad configuration. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit code: 0 after a clean stop, 2 for a bad configuration or start failure */
    public static int run(String... args) {
        return Launcher.execute(new CoordinatorMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (config != null && !Files.exists(config)) {
            throw new ConfigException("config file " + config + " does not exist");
        }
        CoordinatorConfig c = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), config, System.getenv(), set));
        CoordinatorServer server = new CoordinatorServer(c).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "flock-shutdown"));
        server.startSchedule(rounds);
        System.out.printf("coordinator on %s:%d, broker %s, metrics %s, inference %s, schedule %s, public key %s%n", c.grpc().host(),
                server.port(), server.mqttUrl(),
                server.metricsPort() < 0 ? "off" : "http://" + c.metrics().host() + ":" + server.metricsPort() + "/metrics",
                server.httpPort() < 0 ? "off" : "http://" + c.http().host() + ":" + server.httpPort() + "/v2",
                c.schedule().mode(), c.dataDir().resolve("keys").resolve("signing-key.pub").toAbsolutePath());
        stopped.await();
        return 0;
    }
}
