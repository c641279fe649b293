package io.flock.coordinator.registry;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.VariantRow;
import io.flock.coordinator.store.VersionRow;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.ArtifactSigner;
import io.flock.core.artifact.Digests;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a coordinator holds, their versions, stages and artifact variants. A new version stores the
 * exact fp32 global parameters (the coordinator's state, never pushed) and one signed artifact per variant
 * codec, the first of which devices are sent. Version numbers come from the database. "Current" means the
 * production version. Promotions are idempotent and tell the {@link VersionListener}s. The production version and
 * the latest number are cached, as this process wrote them; replicas sharing the store catch up with each other's
 * promotions through {@link #refresh} ({@code replica.VersionFollower}). Thread-safe.
 */
public final class ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final int CACHED_PARAMETERS = 2;
    private final FlockStore store;
    private final ArtifactSigner signer;
    private final List<CompressionPipeline> variantCodecs;
    private final int keepVersions;
    private final List<VersionListener> listeners = new CopyOnWriteArrayList<>();
    /** Each model's production version, as this registry last wrote or read it: heartbeats and fetches ask often. */
    private final Map<String, ModelVersion> production = new ConcurrentHashMap<>();
    /** Each model's highest version number. */
    private final Map<String, Long> latest = new ConcurrentHashMap<>();
    private final Map<String, ModelParameters> recent = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ModelParameters> eldest) {
            return size() > CACHED_PARAMETERS;
        }
    };

    /**
     * @param store         durable storage
     * @param signer        signs every variant
     * @param variantCodecs compression pipelines of the variants each version gets (a variant is named by its pipeline,
     *                      which its signed manifest carries as the codec); the first is the one pushed to devices
     * @param keepVersions  versions of a model whose artifacts are kept (production and canary ones always are);
     *                      older ones keep their metadata and digests only
     */
    public ModelRegistry(FlockStore store, ArtifactSigner signer, List<CompressionPipeline> variantCodecs, int keepVersions) {
        if (keepVersions < 2) {
            throw new IllegalArgumentException("keep at least 2 versions' artifacts, got " + keepVersions);
        }
        this.keepVersions = keepVersions;
        if (variantCodecs.isEmpty()) {
            throw new IllegalArgumentException("a version needs at least one variant codec");
        }
        this.store = store;
        this.signer = signer;
        this.variantCodecs = List.copyOf(variantCodecs);
    }

    /** Adds a listener told of every later promotion to production. */
    public void addListener(VersionListener listener) {
        listeners.add(listener);
    }

    /** @return the compression pipeline of the variant pushed to devices */
    public CompressionPipeline pushed() {
        return variantCodecs.get(0);
    }

    /**
     * Stores and signs a new CANDIDATE version of a model, numbered by the database.
     *
     * @return the new version
     */
    public ModelVersion publish(String model, Candidate c) {
        // a pruned push prunes the global model itself: its zeros are the mask later rounds keep
        ModelParameters params = pushed().prunes() ? pushed().transform(c.spec(), c.parameters()).parameters() : c.parameters();
        byte[] exact = Codecs.FP32.encode(params);
        String paramsSha = Digests.sha256Hex(exact);
        store.saveArtifact(paramsSha, Codecs.FP32.name(), exact);
        long number = store.reserveVersion(model, c.spec().toString(), c.pipeline().toString());
        List<VariantRow> rows = new ArrayList<>();
        for (CompressionPipeline codec : variantCodecs) {
            CompressionPipeline.Artifact a = codec.name().equals(Codecs.FP32.name()) ? new CompressionPipeline.Artifact(c.spec(), exact)
                    : codec.encode(c.spec(), params);
            byte[] artifact = a.bytes();
            String sha = Digests.sha256Hex(artifact);
            store.saveArtifact(sha, codec.name(), artifact);
            // a factorised variant's manifest names its own spec, which the agent builds
            ArtifactManifest m = new ArtifactManifest(model, number, a.spec().toString(), codec.name(), c.pipeline().toString(),
                    sha, artifact.length);
            rows.add(new VariantRow(model, number, codec.name(), sha, artifact.length, signer.sign(m), rows.isEmpty(),
                    a.spec().equals(c.spec()) ? null : a.spec().toString()));
        }
        VersionRow row = new VersionRow(model, number, c.spec().toString(), c.pipeline().toString(), Stage.CANDIDATE.name(),
                paramsSha, System.currentTimeMillis(), c.evaluation() == null ? Double.NaN : c.evaluation().accuracy(),
                c.evaluation() == null ? Double.NaN : c.evaluation().loss(), c.round(), c.optimizerState());
        store.saveVersion(row, rows);
        latest.merge(model, number, Math::max);
        int pruned = store.pruneArtifacts(model, keepVersions);
        if (pruned > 0) {
            log.debug("model={} pruned the artifacts of {} versions older than the newest {}", model, pruned, keepVersions);
        }
        synchronized (recent) {
            recent.put(key(model, number), params);
        }
        log.info("stored model={} version={} variants={} pushedBytes={} fp32Bytes={} sha256={}", model, number,
                rows.stream().map(VariantRow::codec).toList(), rows.get(0).sizeBytes(), exact.length,
                rows.get(0).sha256().substring(0, 12));
        return toVersion(row, rows);
    }

    /**
     * Moves a version to a stage. Idempotent: the stage it has already changes nothing and tells no one.
     * PRODUCTION archives the previous production version and tells the listeners.
     *
     * @return the version in its new stage
     * @throws ModelNotFoundException for an unknown model or version
     */
    public ModelVersion promote(String model, long version, Stage stage) {
        ModelVersion v;
        long previous;
        synchronized (this) {
            v = requireVersion(model, version);
            if (v.stage() == stage) {
                return v;
            }
            if (stage == Stage.PRODUCTION && store.artifact(v.paramsSha256()).isEmpty()) {
                throw new ModelNotFoundException("the artifacts of " + model + " version " + version + " were pruned (registry.keep-versions="
                        + keepVersions + " keeps the newest)");
            }
            previous = store.productionVersion(model);
            store.setStage(model, version, stage.name());
            v = v.withStage(stage);
            if (stage == Stage.PRODUCTION) {
                production.put(model, v);
            } else if (previous == version) {
                production.remove(model);
            }
        }
        if (previous > 0) {
            log.info("model={} version={} is now {} (production was version {})", model, version, stage, previous);
        } else {
            log.info("model={} version={} is now {}", model, version, stage);
        }
        if (stage == Stage.PRODUCTION) {
            tell(v, previous);
        }
        return v;
    }

    private void tell(ModelVersion v, long previous) {
        for (VersionListener l : listeners) {
            try {
                l.promoted(v, previous);
            } catch (RuntimeException e) {
                log.warn("model={} version={} listener {} failed: {}", v.model(), v.version(), l.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * Catches up with a promotion another process sharing the store made (a replica's round, an operator's promote or
     * rollback on another replica): when the stored production version differs from the one this registry knows, it
     * becomes current here and the listeners are told, as after {@link #promote}.
     *
     * @return the new production version, empty when nothing changed
     */
    public Optional<ModelVersion> refresh(String model) {
        long stored = store.productionVersion(model);
        ModelVersion known = production.get(model);
        if (stored == 0 || known != null && known.version() == stored) {
            return Optional.empty();
        }
        ModelVersion v;
        synchronized (this) {
            v = version(model, stored).orElse(null);
            if (v == null) {
                return Optional.empty();
            }
            production.put(model, v);
            latest.merge(model, stored, Math::max);
        }
        log.info("model={} version={} is now PRODUCTION (promoted by another replica; was version {})", model, stored,
                known == null ? 0 : known.version());
        tell(v, known == null ? 0 : known.version());
        return Optional.of(v);
    }

    /**
     * Makes an earlier version production again and tells the listeners, which re-announce it.
     *
     * @param version the version to return to; 0 = the newest archived version below the current production one
     * @throws ModelNotFoundException when that version, or any earlier production version, does not exist
     */
    public ModelVersion rollback(String model, long version) {
        long target = version;
        if (target == 0) {
            long production = store.productionVersion(model);
            target = versions(model, Integer.MAX_VALUE).stream()
                    .filter(v -> v.stage() == Stage.ARCHIVED && v.version() < production)
                    .mapToLong(ModelVersion::version).max()
                    .orElseThrow(() -> new ModelNotFoundException("model " + model + " has no earlier production version to roll back to"));
        }
        log.info("model={} rollback to version={}", model, target);
        return promote(model, target, Stage.PRODUCTION);
    }

    /** Records held-out scores that arrive after a version was published: on the version and on its round. */
    public void recordScores(String model, long version, long round, double accuracy, double loss) {
        store.recordScores(model, version, round, accuracy, loss);
        production.computeIfPresent(model, (m, v) -> v.version() == version ? v.withScores(accuracy, loss) : v);
    }

    /** @return the production version of a model, empty before the first promotion */
    public Optional<ModelVersion> current(String model) {
        ModelVersion cached = production.get(model);
        if (cached != null) {
            return Optional.of(cached);
        }
        long v = store.productionVersion(model);
        Optional<ModelVersion> found = v == 0 ? Optional.empty() : version(model, v);
        found.ifPresent(f -> production.put(model, f));
        return found;
    }

    /** @throws ModelNotFoundException before the first production version */
    public ModelVersion requireCurrent(String model) {
        return current(model).orElseThrow(() -> new ModelNotFoundException("model " + model + " has no production version yet"));
    }

    /** @return a stored version, empty when unknown */
    public Optional<ModelVersion> version(String model, long version) {
        return store.version(model, version).map(row -> toVersion(row, store.variants(model, version)));
    }

    /** @throws ModelNotFoundException for an unknown model or version */
    public ModelVersion requireVersion(String model, long version) {
        if (!models().contains(model)) {
            throw new ModelNotFoundException("unknown model '" + model + "'");
        }
        return version(model, version).orElseThrow(() -> new ModelNotFoundException("model " + model + " has no version " + version));
    }

    /** @return a model's newest versions, newest first */
    public List<ModelVersion> versions(String model, int limit) {
        return store.versions(model, limit).stream().map(r -> toVersion(r, store.variants(model, r.version()))).toList();
    }

    /** @return the models held, sorted */
    public List<String> models() {
        return store.models();
    }

    /** @return whether the registry holds a model of that name */
    public boolean hasModel(String model) {
        return latestVersion(model) > 0;
    }

    /** @return the highest version number of a model, 0 when it has none */
    public long latestVersion(String model) {
        Long n = latest.get(model);
        if (n != null) {
            return n;
        }
        long stored = store.latestVersion(model);
        if (stored > 0) {
            latest.merge(model, stored, Math::max);
        }
        return stored;
    }

    /** @return the exact fp32 global parameters of a version */
    public ModelParameters globalParameters(ModelVersion version) {
        synchronized (recent) {
            ModelParameters p = recent.get(key(version.model(), version.version()));
            if (p != null) {
                return p;
            }
        }
        ModelParameters p = Codecs.FP32.decode(artifact(version.paramsSha256()));
        synchronized (recent) {
            recent.put(key(version.model(), version.version()), p);
        }
        return p;
    }

    /** @return the parameters devices run for a version: its pushed variant, decoded as an agent decodes it */
    public ModelParameters pushedParameters(ModelVersion version) {
        return CompressionPipeline.parse(version.pushed().codec()).codec().decode(artifact(version.pushed().manifest().sha256()));
    }

    /** @throws ModelNotFoundException when no artifact has that SHA-256 */
    public byte[] artifact(String sha256) {
        return store.artifact(sha256).orElseThrow(() -> new ModelNotFoundException("no artifact with sha256 " + sha256));
    }

    private static String key(String model, long version) {
        return model + "/" + version;
    }

    private static ModelVersion toVersion(VersionRow r, List<VariantRow> variants) {
        List<ArtifactVariant> vs = variants.stream().map(a -> new ArtifactVariant(new ArtifactManifest(r.model(), r.version(),
                a.spec() == null ? r.spec() : a.spec(), a.codec(), r.pipeline(), a.sha256(), a.sizeBytes()), a.signature(), a.pushed())).toList();
        return new ModelVersion(r.model(), r.version(), r.spec(), r.pipeline(), Stage.valueOf(r.stage()), r.paramsSha256(),
                r.createdMs(), r.accuracy(), r.loss(), r.round(), vs, r.optimizerState());
    }
}
