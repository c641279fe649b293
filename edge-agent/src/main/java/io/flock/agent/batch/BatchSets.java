package io.flock.agent.batch;

import io.flock.agent.AgentConfig;
import io.flock.agent.offload.BatchLookup;
import io.flock.core.DaemonThreads;
import io.flock.core.data.InputDigest;
import io.flock.core.model.Prediction;
import io.flock.proto.v1.BatchPredictionChunk;
import io.flock.proto.v1.BatchPredictionRow;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch prediction sets a device pulls and answers from. At {@link #start()} it loads the complete sets its state
 * directory holds (a restart answers at once), then pulls every set at once and every {@code batch.refresh}, on a
 * thread of its own. A pull of a set it holds first asks from the set's end, which only tells whether anything
 * changed (a re-stamp moves its device version, nothing else travels); a new result is pulled from row 0. A broken
 * pull keeps what it received and resumes from there, after a back-off, if the result it continues is still the same.
 * {@link #find} answers an input from the first configured set that has it, skipping a set whose device version is
 * older than the version the device runs (its answers may no longer be what the device model would say).
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class BatchSets implements BatchLookup, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchSets.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    private final String deviceId;
    private final List<String> names;
    private final Duration refresh;
    private final Source source;
    private final LongSupplier runningVersion;
    private final BatchFiles files;
    private final Map<String, BatchTable> tables = new ConcurrentHashMap<>();
    /** Pulls that broke, by set: the rows received so far (pull thread only). */
    private final Map<String, BatchTable> partial = new HashMap<>();
    private final Map<String, Duration> backoff = new HashMap<>();
    private final ScheduledExecutorService thread;

    /** Where chunks come from: the coordinator's FetchBatchPredictions. */
    public interface Source {
        /**
         * @return the set's chunks from a row offset; iterating throws when the stream breaks
         */
        Iterator<BatchPredictionChunk> fetch(String set, long offsetRows);
    }

    /** How a pull ended. */
    enum Outcome { UP_TO_DATE, COMPLETE, RESTART }

    /**
     * @param deviceId       names the thread and log lines
     * @param config         the sets and how often to pull them
     * @param dir            where complete sets are kept
     * @param source         the coordinator
     * @param runningVersion the device model's version the device runs now (0 = none)
     */
    public BatchSets(String deviceId, AgentConfig.Batch config, Path dir, Source source, LongSupplier runningVersion) {
        this.deviceId = deviceId;
        this.names = config.sets();
        this.refresh = config.refresh();
        this.source = source;
        this.runningVersion = runningVersion;
        this.files = new BatchFiles(dir);
        this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-batch-" + deviceId));
    }

    /** Loads the sets kept on disk, then pulls every set now and every refresh period. */
    public BatchSets start() {
        for (String name : names) {
            files.load(name).ifPresent(t -> {
                tables.put(name, t);
                log.info("device={} batch set={} restored rows={} model={} version={} deviceVersion={}", deviceId, name, t.totalRows(),
                        t.model(), t.version(), t.deviceVersion());
            });
        }
        try {
            thread.scheduleWithFixedDelay(() -> names.forEach(this::pullLogged), 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("device={} batch sets closed before start", deviceId);
        }
        return this;
    }

    /** Pulls every set again now, in the background, as a refresh does (after an operator re-registered a set, say). */
    public void refreshNow() {
        try {
            thread.execute(() -> names.forEach(this::pullLogged));
        } catch (RejectedExecutionException e) {
            log.debug("device={} batch sets closed", deviceId);
        }
    }

    @Override
    public Optional<Prediction> find(float[] raw) {
        if (tables.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = InputDigest.of(raw);
        long running = runningVersion.getAsLong();
        for (String name : names) {
            BatchTable t = tables.get(name);
            if (t == null || t.deviceVersion() < running) {
                continue;
            }
            Prediction p = t.find(digest);
            if (p != null) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** @return the rows held complete for a set, 0 when none */
    public long rows(String set) {
        BatchTable t = tables.get(set);
        return t == null ? 0 : t.totalRows();
    }

    /** @return the device version a held set stands for, 0 when none is held */
    public long deviceVersion(String set) {
        BatchTable t = tables.get(set);
        return t == null ? 0 : t.deviceVersion();
    }

    private void pullLogged(String name) {
        try {
            pull(name);
            backoff.remove(name);
        } catch (RuntimeException e) {
            Duration wait = backoff.getOrDefault(name, FIRST_RETRY);
            BatchTable p = partial.get(name);
            log.info("device={} batch set={} pull broke at row {} ({}); retrying in {} s", deviceId, name, p == null ? 0 : p.received(),
                    e.getMessage(), wait.toSeconds());
            backoff.put(name, wait.multipliedBy(2).compareTo(refresh) > 0 ? refresh : wait.multipliedBy(2));
            try {
                thread.schedule(() -> pullLogged(name), wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                log.debug("device={} closing; no retry", deviceId);
            }
        }
    }

    /**
     * Pulls one set on the calling thread (the pull thread, or a test): resumes a broken pull, checks a held set, or
     * starts from row 0.
     *
     * @return how it ended
     * @throws RuntimeException when the stream breaks or sends rows that do not fit; what arrived is kept for a resume
     */
    Outcome pull(String name) {
        Outcome o = receive(name);
        return o == Outcome.RESTART ? receive(name) : o;
    }

    private Outcome receive(String name) {
        BatchTable have = tables.get(name);
        BatchTable p = partial.get(name);
        boolean checking = p == null && have != null;
        Iterator<BatchPredictionChunk> it = source.fetch(name, p != null ? p.received() : checking ? have.totalRows() : 0);
        while (it.hasNext()) {
            BatchPredictionChunk c = it.next();
            if (checking) {
                drain(it);
                if (!have.sameResult(c.getSetSha256(), c.getModel(), c.getVersion(), c.getTotalRows())) {
                    tables.remove(name); // the next receive starts from row 0
                    return Outcome.RESTART;
                }
                if (c.getDeviceVersion() != have.deviceVersion()) {
                    have.deviceVersion(c.getDeviceVersion());
                    save(have);
                    log.info("device={} batch set={} re-stamped deviceVersion={}", deviceId, name, c.getDeviceVersion());
                }
                return Outcome.UP_TO_DATE;
            }
            if (p == null || !p.sameResult(c.getSetSha256(), c.getModel(), c.getVersion(), c.getTotalRows())) {
                if (c.getOffsetRows() != 0) { // a resume found another result: start over
                    drain(it);
                    partial.remove(name);
                    return Outcome.RESTART;
                }
                p = new BatchTable(name, c.getSetSha256(), c.getModel(), c.getVersion(), c.getDeviceVersion(), c.getTotalRows());
                partial.put(name, p);
            }
            append(p, c);
        }
        if (p == null || p.received() != p.totalRows()) {
            throw new IllegalStateException("the stream ended after " + (p == null ? 0 : p.received()) + " rows");
        }
        partial.remove(name);
        BatchTable done = p.complete();
        tables.put(name, done);
        save(done);
        log.info("device={} batch set={} pulled rows={} model={} version={} deviceVersion={}", deviceId, name, done.totalRows(), done.model(),
                done.version(), done.deviceVersion());
        return Outcome.COMPLETE;
    }

    /** @throws IllegalStateException for rows out of place or of another shape (what was appended before stays) */
    private static void append(BatchTable p, BatchPredictionChunk c) {
        if (c.getOffsetRows() != p.received() || p.received() + c.getRowsCount() > p.totalRows()) {
            throw new IllegalStateException("chunk at row " + c.getOffsetRows() + " with " + c.getRowsCount() + " rows does not continue "
                    + p.received() + " of " + p.totalRows());
        }
        p.deviceVersion(c.getDeviceVersion());
        int classes = p.rows().isEmpty() ? -1 : p.rows().get(0).probabilities().length;
        for (BatchPredictionRow r : c.getRowsList()) {
            int k = r.getProbabilitiesCount();
            if (r.getInputSha256().size() != InputDigest.BYTES || k == 0 || (classes >= 0 && k != classes) || r.getLabel() < 0
                    || r.getLabel() >= k) {
                throw new IllegalStateException("row " + p.received() + " is malformed");
            }
            classes = k;
            float[] probabilities = new float[k];
            for (int i = 0; i < k; i++) {
                probabilities[i] = r.getProbabilities(i);
            }
            p.add(new BatchTable.Row(r.getInputSha256().toByteArray(), r.getLabel(), probabilities));
        }
    }

    private static void drain(Iterator<BatchPredictionChunk> it) {
        while (it.hasNext()) {
            it.next();
        }
    }

    private void save(BatchTable t) {
        try {
            files.save(t);
        } catch (IOException e) {
            log.warn("device={} batch set={} not kept on disk: {}", deviceId, t.set(), e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
