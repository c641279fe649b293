package io.flock.core.model;

import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine the Flock way: offline (never downloads) and one intra-op and one
 * inter-op thread per model, which is fastest on small machines. Idempotent and thread-safe.
 *
 * <p>oneDNN, which runs PyTorch's CPU convolutions, takes its instruction-set cap from ONEDNN_MAX_CPU_ISA in the
 * environment, and DJL offers no way to set it from Java. So the launchers (bin/flock, the container image, the test
 * POM) set it to AVX2: on the AVX-512 VMs this project is measured on, its AVX-512 convolution kernels now and then
 * return NaN for finite inputs (see benchmarks/results/2026-12-02-runs/README.md). Starting without it logs a warning.
 */
public final class Engines {
    private static final String ISA_CAP = "ONEDNN_MAX_CPU_ISA";
    private static final Logger log = LoggerFactory.getLogger(Engines.class);
    private static volatile Engine engine;

    private Engines() {
    }

    /** @return the PyTorch engine, configured on first call */
    public static Engine pytorch() {
        Engine e = engine;
        if (e == null) {
            synchronized (Engines.class) {
                if (engine == null) {
                    setIfAbsent("ai.djl.offline", "true");
                    setIfAbsent("ai.djl.pytorch.num_threads", "1");
                    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
                    setIfAbsent("ai.djl.default_engine", "PyTorch");
                    if (System.getenv(ISA_CAP) == null) {
                        log.warn("{} is not set: CNNs may compute NaN now and then on AVX-512 CPUs; set it to AVX2"
                                + " (bin/flock does)", ISA_CAP);
                    }
                    engine = Engine.getEngine("PyTorch");
                }
                e = engine;
            }
        }
        return e;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
