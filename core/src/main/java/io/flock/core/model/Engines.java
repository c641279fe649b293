package io.flock.core.model;

import ai.djl.engine.Engine;

/**
 * Starts DJL's PyTorch engine the Flock way: offline (never downloads) and one intra-op and one
 * inter-op thread per model, which is fastest on small machines. Idempotent and thread-safe.
 */
public final class Engines {
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
