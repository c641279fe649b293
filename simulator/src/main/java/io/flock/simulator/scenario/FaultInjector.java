package io.flock.simulator.scenario;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one round of a scenario with its faults: a broker restart before the round, a network
 * partition during it, and devices dropping or the coordinator dying in the middle of it. Which
 * devices are hit is drawn from the scenario seed and the round, so runs repeat.
 */
final class FaultInjector {
    private final ScenarioRunner runner;

    FaultInjector(ScenarioRunner runner) {
        this.runner = runner;
    }

    RoundResult runRound(int round) throws Exception {
        List<Fault> faults = runner.scenario().faults().stream().filter(f -> f.round() == round).toList();
        for (Fault f : faults) {
            if (f.kind() == Fault.Kind.BROKER_RESTART) {
                double s = runner.restartBroker();
                runner.logFault(entry(round, f, "recoverySeconds", s));
            }
        }
        List<Integer> partitioned = new ArrayList<>();
        for (Fault f : faults) {
            if (f.kind() == Fault.Kind.NETWORK_PARTITION) {
                for (int i : pick(round, f, liveDevices())) {
                    runner.conditions().get(i).partitioned(true);
                    partitioned.add(i);
                }
                runner.logFault(entry(round, f, "devices", partitioned.size()));
            }
        }
        try {
            boolean midRound = faults.stream().anyMatch(f -> f.kind() == Fault.Kind.COORDINATOR_RESTART || f.kind() == Fault.Kind.DROP_DEVICES);
            return midRound ? runWithMidRoundFaults(round, faults) : runner.coordinator().trainer().runRound();
        } finally {
            for (int i : partitioned) {
                runner.conditions().get(i).partitioned(false);
            }
        }
    }

    private RoundResult runWithMidRoundFaults(int round, List<Fault> faults) throws Exception {
        CoordinatorServer coordinator = runner.coordinator();
        AtomicReference<RoundResult> result = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(coordinator.trainer().runRound());
            } catch (Throwable e) {
                error.set(e);
            }
        }, "scenario-round-" + round);
        t.start();
        long until = System.nanoTime() + 3_000_000_000L;
        while (coordinator.trainer().acceptedInOpenRound() < 1 && System.nanoTime() < until && t.isAlive()) {
            Thread.sleep(5);
        }
        boolean restart = false;
        for (Fault f : faults) {
            if (f.kind() == Fault.Kind.DROP_DEVICES) {
                List<Integer> hit = pick(round, f, liveDevices());
                for (int i : hit) {
                    runner.gone()[i] = true;
                    runner.fleet().agents().get(i).close();
                }
                runner.logFault(entry(round, f, "devices", hit.size()));
            }
            restart |= f.kind() == Fault.Kind.COORDINATOR_RESTART;
        }
        if (!restart) {
            t.join();
            if (error.get() != null) {
                throw new IllegalStateException("round " + round + " failed", error.get());
            }
            return result.get();
        }
        int acceptedBefore = coordinator.trainer().acceptedInOpenRound();
        long t0 = System.nanoTime();
        t.interrupt();
        t.join();
        CoordinatorServer restarted = runner.fleet().restartCoordinator();
        int kept = restarted.trainer().acceptedInOpenRound();
        runner.logFault(entry(round, new Fault(round, Fault.Kind.COORDINATOR_RESTART, 0), "recoverySeconds",
                (System.nanoTime() - t0) / 1e9, "acceptedWhenStopBegan", acceptedBefore, "acceptedAfterRestart", kept));
        return restarted.trainer().runRound();
    }

    private List<Integer> liveDevices() {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < runner.fleet().agents().size(); i++) {
            EdgeAgent a = runner.fleet().agents().get(i);
            if (!runner.gone()[i] && a.mqttConnected()) {
                live.add(i);
            }
        }
        return live;
    }

    private List<Integer> pick(int round, Fault f, List<Integer> from) {
        List<Integer> pool = new ArrayList<>(from);
        Collections.shuffle(pool, new Random(runner.scenario().seed() * 31 + round * 17L + f.kind().ordinal()));
        return pool.subList(0, (int) Math.round(f.fraction() * pool.size()));
    }

    private static Map<String, Object> entry(int round, Fault f, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", round);
        m.put("kind", f.kind().yamlName());
        if (f.fraction() > 0) {
            m.put("fraction", f.fraction());
        }
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
