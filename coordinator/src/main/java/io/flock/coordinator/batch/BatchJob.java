package io.flock.coordinator.batch;

import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.VersionListener;
import io.flock.core.DaemonThreads;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.InputDigest;
import io.flock.core.data.RawRows;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Precomputes the served model's predictions for every input set, off the request path: on a thread of its own, with
 * a model replica of its own (never the online serving queue), through the feature pipeline of the served version's
 * manifest. It brings every set up to date at start, when a set is registered and when the production version of the
 * served or the device model changes: a set is computed again when the served version changed, and only re-stamped
 * with the new device version when the device model is another model than the served one (its answers stay the same).
 * Every {@code interval} (zero = never) it computes every set again. One INFO line per set computed.
 * Order of use: construct, register {@link #listener()} with the registry, {@link #start()}, {@link #close()}.
 */
public final class BatchJob implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchJob.class);
    /** Rows per forward pass. */
    private static final int BATCH_ROWS = 256;
    private final InputSets sets;
    private final ModelRegistry registry;
    private final String served;
    private final String deviceModel;
    private final Duration interval;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-batch"));
    /** The job thread's replica and the version it holds. */
    private FlockModel replica;
    private String replicaVersion = "";

    /**
     * @param sets        the input sets and their stored predictions
     * @param registry    where the served and device models' production versions are
     * @param served      the model whose predictions are stored (serving.model, or the trained model)
     * @param deviceModel the model devices run
     * @param interval    how often every set is computed again; zero = only on changes
     */
    public BatchJob(InputSets sets, ModelRegistry registry, String served, String deviceModel, Duration interval) {
        this.sets = sets;
        this.registry = registry;
        this.served = served;
        this.deviceModel = deviceModel;
        this.interval = interval;
        sets.addListener(name -> submit(this::refresh));
    }

    /** Brings every set up to date in the background now, then computes every set again each interval. */
    public BatchJob start() {
        submit(this::refresh);
        if (!interval.isZero()) {
            thread.scheduleWithFixedDelay(() -> run(true), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** @return the listener that brings the sets up to date when the served or the device model's production version changes */
    public VersionListener listener() {
        return (v, previous) -> {
            if (v.model().equals(served) || v.model().equals(deviceModel)) {
                submit(this::refresh);
            }
        };
    }

    private void submit(Runnable work) {
        try {
            thread.execute(work);
        } catch (RejectedExecutionException e) {
            log.debug("batch job closed; {} ignored", work);
        }
    }

    private void refresh() {
        run(false);
    }

    /** @param all compute every set again (else only what is out of date) */
    private void run(boolean all) {
        for (InputSet set : sets.list()) {
            try {
                bringUpToDate(set, all);
            } catch (RuntimeException e) {
                log.warn("batch set={} not computed: {}", set.name(), e.toString());
            }
        }
    }

    private void bringUpToDate(InputSet set, boolean all) {
        ModelVersion v = registry.current(served).orElse(null);
        if (v == null) {
            return;
        }
        long device = registry.current(deviceModel).map(ModelVersion::version).orElse(0L);
        InputSet.Computed c = set.computed();
        if (all || c == null || !c.model().equals(v.model()) || c.version() != v.version()) {
            compute(set, v, device);
        } else if (c.deviceVersion() != device) {
            int n = sets.restamp(v.model(), v.version(), device);
            if (n > 0) {
                log.info("batch sets={} computed by model={} version={} re-stamped for deviceVersion={}", n, v.model(), v.version(), device);
            }
        }
    }

    private void compute(InputSet set, ModelVersion v, long deviceVersion) {
        long start = System.nanoTime();
        RawRows rows = sets.rows(set);
        FlockModel m = replica(v);
        int classes = m.spec().classes();
        int n = rows.rows();
        float[] probabilities = new float[n * classes];
        byte[] digests = new byte[n * InputDigest.BYTES];
        for (int from = 0; from < n; from += BATCH_ROWS) {
            int b = Math.min(BATCH_ROWS, n - from);
            float[] p = m.predictProbabilities(features(v, rows, from, b));
            System.arraycopy(p, 0, probabilities, from * classes, b * classes);
        }
        for (int i = 0; i < n; i++) {
            System.arraycopy(InputDigest.of(rows.values(), i * rows.features(), rows.features()), 0, digests, i * InputDigest.BYTES,
                    InputDigest.BYTES);
        }
        boolean saved = sets.save(new BatchResult(set.name(), set.sha256(), v.model(), v.version(), deviceVersion, System.currentTimeMillis(),
                n, classes, BatchResult.encode(digests, probabilities, n, classes)));
        log.info("batch set={} rows={} model={} version={} deviceVersion={} seconds={}{}", set.name(), n, v.model(), v.version(),
                deviceVersion, String.format(Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e9),
                saved ? "" : " (not stored: the set was replaced meanwhile)");
    }

    /**
     * The batch path's preparation of a set's rows: the served version's feature pipeline (from its manifest), the same
     * core code as the online, on-device and training paths.
     *
     * @return model inputs of rows {@code from..from+count}, row-major
     */
    public static float[] features(ModelVersion version, RawRows rows, int from, int count) {
        FeaturePipeline pipeline = FeaturePipeline.parse(version.manifest().pipeline());
        ModelSpec spec = ModelSpec.parse(version.spec());
        int d = rows.features();
        float[] x = new float[count * d];
        for (int k = 0; k < count; k++) {
            System.arraycopy(pipeline.prepare(rows.row(from + k), spec.inputSize(), version.model()), 0, x, k * d, d);
        }
        return x;
    }

    /** @return the job's replica holding {@code v}: reloaded in place when the spec stays */
    private FlockModel replica(ModelVersion v) {
        ModelSpec spec = ModelSpec.parse(v.spec());
        if (replica != null && !replica.spec().equals(spec)) {
            replica.close();
            replica = null;
        }
        if (replica == null) {
            replica = new FlockModel(spec, "batch");
            replicaVersion = "";
        }
        String key = v.model() + "/" + v.version();
        if (!key.equals(replicaVersion)) {
            replica.load(registry.globalParameters(v));
            replicaVersion = key;
        }
        return replica;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("batch job still running after 10 s; its replica is left to the JVM");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (replica != null) {
            replica.close();
            replica = null;
        }
    }
}
