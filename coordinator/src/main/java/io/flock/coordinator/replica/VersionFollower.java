package io.flock.coordinator.replica;

import io.flock.coordinator.registry.ModelRegistry;
import io.flock.core.DaemonThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a replica's registry on the production versions other replicas promote (a round on the lease holder, an
 * operator's promote or rollback anywhere): every {@code every} it asks the store and tells the registry's listeners of a
 * change (serving loads the version; the announcer, on the holder, announces it). A replica serves a new version at most
 * {@code every} after it was promoted. Idempotent {@link #start()} and {@link #close()}.
 */
public final class VersionFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VersionFollower.class);
    private final ModelRegistry registry;
    private final List<String> models;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-follow"));
    private boolean started;

    /** @param models the models to follow (the trained one and the served one) */
    public VersionFollower(ModelRegistry registry, List<String> models, Duration every) {
        this.registry = registry;
        this.models = List.copyOf(models);
        this.every = every;
    }

    /** Starts following; idempotent. */
    public synchronized VersionFollower start() {
        if (!started) {
            started = true;
            timer.scheduleWithFixedDelay(this::follow, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void follow() {
        for (String m : models) {
            try {
                registry.refresh(m);
            } catch (RuntimeException e) {
                log.debug("model={} version refresh failed: {}", m, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
