package io.flock.simulator.failover;

import io.flock.agent.AgentConfig;
import io.flock.agent.DeviceConditions;
import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.core.FlockException;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.core.net.FreePorts;
import io.flock.simulator.fleet.DeviceData;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * One fail-over: two coordinator replicas (child JVMs) on one PostgreSQL schema, each behind a balancer that fails over
 * to the other, and real edge agents, half behind each. Replica a takes the lease and opens round 1; once each replica
 * has accepted updates of the fast agents, a is killed with SIGKILL. Measured: time from the kill to b holding the lease,
 * and to round 1 published; the updates accepted before the kill on each replica, and how many of all accepted updates
 * the published round holds (lost = accepted - in the round, which must be 0).
 */
final class FailoverRun {
    private static final long ROUND = 1;
    private final FailoverSpec spec;
    private final PrintStream out;

    FailoverRun(FailoverSpec spec, PrintStream out) {
        this.spec = spec;
        this.out = out;
    }

    /** @return the run's measurements, as the report holds them */
    Map<String, Object> run(int index) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String schema = "failover_" + id;
        String model = "failover-" + id;
        try (var c = DriverManager.getConnection(spec.postgres()); var s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = spec.postgres() + (spec.postgres().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Path work = Files.createDirectories(spec.work().resolve("run-" + index + "-" + id));
        Ed25519Signer.loadOrCreate(work.resolve("a").resolve("keys")); // the signing key every replica shares
        Files.createDirectories(work.resolve("b").resolve("keys"));
        for (String f : List.of("signing-key.pk8", Ed25519Signer.PUBLIC_KEY_FILE)) {
            Files.copy(work.resolve("a/keys").resolve(f), work.resolve("b/keys").resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        int portA = FreePorts.restartable();
        int portB = FreePorts.restartable();
        List<EdgeAgent> agents = new ArrayList<>();
        try (ReplicaProcess a = replica("a", work, url, model, portA);
             FailoverProbe probe = new FailoverProbe(url, model)) {
            awaitHolder(probe, "a", a);
            try (ReplicaProcess b = replica("b", work, url, model, portB);
                 FailoverProxy toA = new FailoverProxy(List.of(portA, portB));
                 FailoverProxy toB = new FailoverProxy(List.of(portB, portA))) {
                return measure(index, a, probe, agents, work, model, toA.port(), toB.port());
            }
        } finally {
            agents.forEach(EdgeAgent::close);
            try (var c = DriverManager.getConnection(spec.postgres()); var s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private Map<String, Object> measure(int index, ReplicaProcess a, FailoverProbe probe, List<EdgeAgent> agents, Path work, String model,
                                        int proxyA, int proxyB) throws Exception {
        agents.addAll(startAgents(work, model, proxyA, proxyB));
        List<String> viaA = deviceIds(0, spec.agents() / 2);
        List<String> viaB = deviceIds(spec.agents() / 2, spec.agents());
        int fastEach = spec.agents() / 4;
        Map<String, Long> before = awaitFastUpdates(probe, viaA, viaB, fastEach);
        long killed = System.currentTimeMillis();
        a.kill();
        out.printf("run %d: killed holder a (pid %d) with %d updates accepted via a and %d via b%n", index, a.pid(),
                count(before, viaA), count(before, viaB));
        long takeover = awaitTakeover(probe, killed);
        FailoverProbe.Round round = awaitPublished(probe, killed);
        long published = System.currentTimeMillis();
        Map<String, Long> all = probe.updates(ROUND);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", index);
        r.put("leaseTtlSeconds", spec.ttl().toMillis() / 1000.0);
        r.put("roundTimeoutSeconds", spec.roundTimeout().toMillis() / 1000.0);
        r.put("killToTakeoverSeconds", (takeover - killed) / 1000.0);
        r.put("killToPublishedSeconds", (published - killed) / 1000.0);
        r.put("acceptedBeforeKillOnA", count(before, viaA));
        r.put("acceptedBeforeKillOnB", count(before, viaB));
        r.put("acceptedTotal", all.size());
        r.put("inPublishedRound", round.accepted());
        r.put("lost", all.size() - round.accepted());
        r.put("roundStatus", round.status());
        r.put("publishedVersion", round.version());
        out.printf("run %d: b took over %.1f s after the kill, round %d %s as version %d %.1f s after the kill: %d of %d accepted"
                        + " updates in it%n", index, (takeover - killed) / 1000.0, ROUND, round.status(), round.version(),
                (published - killed) / 1000.0, round.accepted(), all.size());
        return r;
    }

    private ReplicaProcess replica(String name, Path work, String url, String model, int port) throws Exception {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("data-dir", work.resolve(name).toString());
        set.put("database.url", url);
        set.put("grpc.port", String.valueOf(port));
        set.put("mqtt.url", spec.mqttUrl());
        set.put("security.mode", "insecure");
        set.put("metrics.port", "-1");
        set.put("http.port", "-1");
        set.put("model.name", model);
        set.put("model.spec", "mlp:784-32-10");
        set.put("round.devices", String.valueOf(spec.agents()));
        set.put("round.min-results", String.valueOf(spec.agents()));
        set.put("round.min-available", String.valueOf(spec.agents()));
        set.put("round.timeout", spec.roundTimeout().toMillis() + "ms");
        set.put("lease.ttl", spec.ttl().toMillis() + "ms");
        set.put("lease.replica-id", name);
        return ReplicaProcess.start(name, work.resolve(name), set, List.of("--rounds", "1"), Duration.ofSeconds(90));
    }

    /** Waits until the replica holds the lease, so the first replica is the one killed. */
    private static void awaitHolder(FailoverProbe probe, String name, ReplicaProcess replica) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!probe.holder().filter(name::equals).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new FlockException("replica " + name + " did not take the lease within 30 s: " + replica.output());
            }
            Thread.sleep(50);
        }
    }

    private static List<String> deviceIds(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> String.format("fo-%03d", i + 1)).toList();
    }

    private List<EdgeAgent> startAgents(Path work, String model, int portA, int portB) throws Exception {
        ByteDataset train = IdxFormat.readLabelled(spec.data().resolve("train-images-idx3-ubyte.gz"),
                spec.data().resolve("train-labels-idx1-ubyte.gz"));
        ArtifactVerifier verifier = ArtifactVerifier.fromFile(work.resolve("a/keys").resolve(Ed25519Signer.PUBLIC_KEY_FILE));
        int half = spec.agents() / 2;
        int each = Math.min(100, train.size() / spec.agents());
        List<EdgeAgent> agents = new ArrayList<>();
        for (int i = 0; i < spec.agents(); i++) {
            String device = String.format("fo-%03d", i + 1);
            int from = i * each;
            Path data = DeviceData.write(train.subset(IntStream.range(from, from + each).toArray()),
                    work.resolve("devices").resolve(device).resolve("data"));
            boolean slow = i % half >= half / 2; // the second half of each replica's agents trains slowly
            AgentConfig config = new AgentConfig(device, "jvm-sim", "127.0.0.1:" + (i < half ? portA : portB), spec.mqttUrl(), model, data,
                    work.resolve("devices").resolve(device).resolve("state"), null, 0, null, Duration.ofMillis(300),
                    Duration.ofSeconds(2), false, "", Duration.ofSeconds(30), i);
            agents.add(new EdgeAgent(config, verifier, WireTap.NONE, slow ? slowly(spec.slowTraining()) : DeviceConditions.REAL).start());
        }
        return agents;
    }

    private static DeviceConditions slowly(Duration extra) {
        return new DeviceConditions() {
            @Override
            public Duration computePenalty(Duration took) {
                return extra;
            }
        };
    }

    /** Waits until the fast agents behind each replica have their updates stored; returns the round's updates then. */
    private Map<String, Long> awaitFastUpdates(FailoverProbe probe, List<String> viaA, List<String> viaB, int each) throws Exception {
        long deadline = System.nanoTime() + spec.roundTimeout().plusSeconds(60).toNanos();
        while (true) {
            Map<String, Long> stored = probe.updates(ROUND);
            if (count(stored, viaA) >= each && count(stored, viaB) >= each) {
                return stored;
            }
            if (System.nanoTime() > deadline) {
                throw new FlockException("the fast agents' updates did not arrive: " + stored.keySet());
            }
            Thread.sleep(20);
        }
    }

    private static int count(Map<String, Long> updates, List<String> devices) {
        return (int) updates.keySet().stream().filter(devices::contains).count();
    }

    private long awaitTakeover(FailoverProbe probe, long killed) throws Exception {
        long deadline = killed + spec.ttl().multipliedBy(3).toMillis();
        while (!probe.holder().filter("b"::equals).isPresent()) {
            if (System.currentTimeMillis() > deadline) {
                throw new FlockException("replica b did not take the lease within 3 x ttl of the kill");
            }
            Thread.sleep(20);
        }
        return System.currentTimeMillis();
    }

    private FailoverProbe.Round awaitPublished(FailoverProbe probe, long killed) throws Exception {
        long deadline = killed + spec.ttl().plus(spec.roundTimeout()).multipliedBy(2).toMillis();
        while (true) {
            var round = probe.round(ROUND);
            if (round.isPresent() && !round.get().status().equals("OPEN")) {
                return round.get();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new FlockException("round " + ROUND + " did not finish within 2 x (ttl + round timeout) of the kill");
            }
            Thread.sleep(20);
        }
    }
}
