package io.flock.coordinator.serving;

import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers offloaded predictions with the served version (the trained model, or a heavier cloud model that answers for
 * the device model), through the feature pipeline of the served version: a
 * {@link ResponseCache} first, then a {@link BatchingQueue} whose workers each run their batch on a model replica of
 * their own (one forward pass per batch). A new version is loaded into the replicas in place, and the cache forgets
 * the old version's answers. Thread-safe. Order of use: construct, {@link #update} with the first version,
 * {@link #predict} from any thread, {@link #close()}.
 */
public final class ModelServing implements AutoCloseable {
    private final BatchingQueue<float[], Prediction> queue;
    private final ResponseCache cache;
    private final int replicas;
    private final String deviceModel;
    private volatile Loaded loaded;

    /** A served version: its replicas wait in {@code pool} while no worker runs a batch on them. */
    private record Loaded(String name, long version, ModelSpec spec, FeaturePipeline pipeline, List<FlockModel> models,
                          BlockingQueue<FlockModel> pool) {
    }

    /**
     * @param batching how requests are batched; one model replica per worker
     * @param cache       answers kept across requests
     * @param deviceModel the model devices run and offload for: requests naming it are answered by the served model
     */
    public ModelServing(BatchingConfig batching, ResponseCache cache, String deviceModel) {
        this.cache = cache;
        this.deviceModel = deviceModel;
        this.replicas = batching.workers();
        this.queue = new BatchingQueue<>(batching, this::run, "serving");
    }

    /** Makes {@code version} the served one: loaded into the replicas in place when the spec stays, else into new ones. */
    public synchronized void update(ModelVersion version, ModelParameters parameters) {
        ModelSpec spec = ModelSpec.parse(version.manifest().spec());
        Loaded old = loaded;
        List<FlockModel> models;
        if (old != null && old.spec().equals(spec)) {
            models = old.models();
        } else {
            models = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                models.add(new FlockModel(spec, "serving-" + i));
            }
        }
        for (FlockModel m : models) {
            m.load(parameters); // waits for a batch running on it
        }
        loaded = new Loaded(version.model(), version.version(), spec, FeaturePipeline.parse(version.manifest().pipeline()), models,
                old != null && old.models() == models ? old.pool() : new ArrayBlockingQueue<>(replicas, false, models));
        cache.invalidate(version.model(), version.version());
        if (old != null && old.models() != models) {
            closeWhenFree(old);
        }
    }

    /**
     * @param model         name the caller asks for: the served model, the device model it answers for, or empty
     * @param raw           raw features as the app has them
     * @param deadlineNanos {@link System#nanoTime()} after which the caller gives up; {@link Long#MAX_VALUE} = none
     * @return the answer: from the cache, or from the next batch; fails with {@link io.flock.core.CapacityExceededException}
     *         when the queue is full and {@link DeadlinePassedException} when the deadline passed in the queue
     * @throws ModelNotFoundException before the first version or for another model name
     * @throws InvalidInputException  for a wrong feature count or non-finite values
     */
    public CompletableFuture<Prediction> predict(String model, float[] raw, long deadlineNanos) {
        Loaded l = loaded;
        if (!answers(l, model)) {
            throw new ModelNotFoundException("no served model named '" + model + "'");
        }
        float[] features = features(l, raw);
        float[] hit = cache.get(l.name(), l.version(), features);
        if (hit != null) {
            return CompletableFuture.completedFuture(Prediction.of(hit, l.name(), l.version()));
        }
        return queue.submit(features, deadlineNanos);
    }

    /**
     * What answers requests naming a model, for transports that describe it (the REST edge's metadata).
     *
     * @param model   the served model's name: the one that answers, also for the device model
     * @param version its version now
     * @param spec    its network: {@link ModelSpec#inputSize()} raw features in, {@link ModelSpec#classes()} probabilities out
     */
    public record Served(String model, long version, ModelSpec spec) {
    }

    /**
     * @param model name a caller asks for, as {@link #predict} takes it
     * @return the version that answers {@code model} now; empty before the first version or for another model name
     */
    public Optional<Served> served(String model) {
        Loaded l = loaded;
        return answers(l, model) ? Optional.of(new Served(l.name(), l.version(), l.spec())) : Optional.empty();
    }

    private boolean answers(Loaded l, String model) {
        return l != null && (model.isEmpty() || model.equals(l.name()) || model.equals(deviceModel));

    }

    /**
     * The online preparation of an offloaded input: the served version's feature pipeline (from its manifest), the same
     * core code as a device's and the batch job's.
     *
     * @return model inputs for the served version
     * @throws ModelNotFoundException before the first version
     * @throws InvalidInputException  for a wrong feature count or non-finite values
     */
    public float[] features(float[] raw) {
        Loaded l = loaded;
        if (l == null) {
            throw new ModelNotFoundException("no version is served yet");
        }
        return features(l, raw);
    }

    private static float[] features(Loaded l, float[] raw) {
        return l.pipeline().prepare(raw, l.spec().inputSize(), l.name());
    }

    /** One batch on a free replica of the served version; answers are cached under the version that computed them. */
    private List<Prediction> run(List<float[]> batch) {
        Loaded l;
        FlockModel m;
        do { // a version replaced by one of another spec retires its pool: take a replica of the version served now
            l = loaded;
            if (l == null) {
                throw new CapacityExceededException("serving stopped; retry on another coordinator");
            }
            try {
                m = l.pool().poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CapacityExceededException("serving stopped; retry on another coordinator");
            }
        } while (m == null);
        int d = l.spec().inputSize();
        float[] x = new float[batch.size() * d];
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).length != d) {
                l.pool().add(m);
                throw new CapacityExceededException("the served model changed while the request waited; retry");
            }
            System.arraycopy(batch.get(i), 0, x, i * d, d);
        }
        float[] p;
        try {
            p = m.predictProbabilities(x);
        } finally {
            l.pool().add(m);
        }
        int classes = l.spec().classes();
        List<Prediction> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            float[] row = java.util.Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
            cache.put(l.name(), l.version(), batch.get(i), row);
            out.add(Prediction.of(row, l.name(), l.version()));
        }
        return out;
    }

    /** @return the batching queue, for its counters */
    public BatchingQueue<float[], Prediction> queue() {
        return queue;
    }

    /** @return the response cache, for its counters */
    public ResponseCache cache() {
        return cache;
    }

    private static void closeWhenFree(Loaded old) {
        for (int i = 0; i < old.models().size(); i++) {
            try {
                FlockModel m = old.pool().poll(5, TimeUnit.SECONDS);
                if (m != null) {
                    m.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        queue.close();
        if (loaded != null) {
            loaded.models().forEach(FlockModel::close);
            loaded = null;
        }
    }
}
