package io.flock.agent.training;

import io.flock.agent.DeviceConditions;
import io.flock.agent.artifact.ModelUpdater;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.outbox.Outbox;
import io.flock.agent.outbox.PendingUpload;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.ArtifactRejectedException;
import io.flock.core.artifact.Digests;
import io.flock.core.codec.Codecs;
import io.flock.core.codec.ParameterCodec;
import io.flock.core.compress.Pruning;
import io.flock.core.data.Dataset;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.privacy.GaussianNoise;
import io.flock.core.privacy.L2Clip;
import io.flock.core.privacy.NoiseRandom;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Distillation;
import io.flock.core.train.LocalTrainer;
import io.flock.core.train.SoftTargets;
import io.flock.core.train.TrainingConfig;
import io.flock.core.train.TrainingResult;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.PrivacyInfo;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.UpdateHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs train tasks on the device's private data: starts from the task's base version, trains with
 * the task's SGD settings (learning from a teacher's soft targets too when the task names one: {@link TeacherTargets}),
 * and hands the encoded delta (trained minus base) to the outbox. The data
 * itself never leaves this class. A task whose plan {@link PlanCheck} refuses is not trained: the
 * reason is logged, counted and reported to {@link TaskRejections}, and nothing is uploaded. Tasks
 * run one at a time on the caller's thread. A simulated byzantine device passes a test-only {@link UpdateTamper}.
 */
public final class TrainingWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingWorker.class);
    /** TaskRejection.reason's bound. */
    private static final int MAX_REASON = 1024;
    private final String deviceId;
    private final Path dataDir;
    private final LocalModel local;
    private final ModelUpdater updater;
    private final Outbox outbox;
    private final long seed;
    private final DeviceConditions conditions;
    private final PlanCheck plan;
    private final TaskRejections rejections;
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong distilled = new AtomicLong();
    private final LocalTrainer trainer = new LocalTrainer();
    private final TeacherTargets teacher;
    private final UpdateTamper tamper;
    private final SecureUpload secure;
    private final GaussianNoise noise = new GaussianNoise(new NoiseRandom());
    private Dataset data;
    private FlockModel scratch;
    /**
     * Tasks this device already answered (trained, refused or dropped), by id: a re-sent task is not trained
     * twice. Ids, not a highest round number: a forged task with a far-future round must not make the device
     * ignore every real task after it.
     */
    private final Set<String> done = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 256;
        }
    });

    /**
     * @param dataDir    where the private data lives; null = this device does not train
     * @param plan       decides which plans this device honours
     * @param rejections told of every refused task
     */
    public TrainingWorker(String deviceId, Path dataDir, LocalModel local, ModelUpdater updater, Outbox outbox, long seed,
                          DeviceConditions conditions, PlanCheck plan, TaskRejections rejections) {
        this(deviceId, dataDir, local, updater, outbox, seed, conditions, plan, rejections, UpdateTamper.NONE);
    }

    /**
     * @param tamper test-only: changes the data as it loads and each update before it is encoded ({@link UpdateTamper#NONE}
     *               on a real device)
     */
    public TrainingWorker(String deviceId, Path dataDir, LocalModel local, ModelUpdater updater, Outbox outbox, long seed,
                          DeviceConditions conditions, PlanCheck plan, TaskRejections rejections, UpdateTamper tamper) {
        this.tamper = tamper;
        if (tamper != UpdateTamper.NONE) {
            log.warn("device={} runs a test-only update tamper: {}", deviceId, tamper);
        }
        this.plan = plan;
        this.rejections = rejections;
        this.conditions = conditions;
        this.deviceId = deviceId;
        this.dataDir = dataDir;
        this.local = local;
        this.updater = updater;
        this.outbox = outbox;
        this.seed = seed;
        this.teacher = new TeacherTargets(deviceId, updater);
        this.secure = new SecureUpload(deviceId, outbox.coordinator());
    }

    /** Trains for one task and queues the update, or refuses the task; failures are logged, never thrown. */
    public synchronized void run(TrainTask task) {
        if (dataDir == null) {
            log.warn("device={} got a train task but has no data-dir", deviceId);
            return;
        }
        if (done.contains(task.getTaskId())) {
            log.debug("device={} ignores repeated task {}", deviceId, task.getTaskId());
            return;
        }
        long left = task.getDeadlineUnixMs() - System.currentTimeMillis();
        if (task.getDeadlineUnixMs() > 0 && left <= 0) {
            log.info("device={} task {} arrived after its deadline", deviceId, task.getTaskId());
            return;
        }
        Optional<String> refusal = plan.refusal(task);
        if (refusal.isPresent()) {
            reject(task, refusal.get());
            return;
        }
        long start = System.nanoTime();
        try {
            if (!updater.ensureVersion(task.getBaseVersion(), Duration.ofSeconds(30))) {
                log.warn("device={} cannot get base version={} for task {}", deviceId, task.getBaseVersion(), task.getTaskId());
                reject(task, "cannot get base version " + task.getBaseVersion()); // the coordinator stops waiting for it
                return;
            }
            long ready = System.nanoTime();
            if (data == null) {
                data = tamper.trainingData(PrivateData.load(dataDir));
            }
            LocalModel.Loaded base = local.current().orElseThrow();
            var cfg = task.getTraining();
            SoftTargets soft;
            try {
                soft = task.hasTeacher() ? teacher.targets(task.getTeacher(), new Distillation(cfg.getDistillTemperature(),
                        cfg.getDistillAlpha()), base.spec(), data, Duration.ofSeconds(30)) : null;
            } catch (InvalidInputException | ArtifactRejectedException e) {
                reject(task, e.getMessage());
                return;
            }
            LocalTrainer.Trained t = trainer.train(base.spec(), base.parameters(), () -> scratch(base.spec()), data,
                    base.pipeline(), new TrainingConfig(cfg.getLearningRate(), cfg.getBatchSize(), cfg.getLocalEpochs(), cfg.getProximalMu()),
                    new Random(seed * 31 + task.getRound()), soft);
            TrainingResult r = t.result();
            DeviceConditions.pause(conditions.computePenalty(Duration.ofNanos((long) (r.seconds() * 1e9))));
            if (conditions.dropsOut(task.getTaskId())) {
                done.add(task.getTaskId());
                log.info("device={} dropped out during round={} (emulated crash before upload)", deviceId, task.getRound());
                return;
            }
            long trained = System.nanoTime();
            if (cfg.getKeepZeroWeights()) {
                Pruning.applyMask(t.parameters(), base.parameters()); // a pruned model: only the kept weights train
            }
            ModelParameters delta = tamper.update(privatise(t.parameters().minus(base.parameters()), cfg), task.getRound());
            if (task.getSecureAggregation()) {
                done.add(task.getTaskId());
                secure.run(task, delta, r.examples(), conditions.secureDrop(task.getTaskId()));
                log.info("device={} trained round={} examples={} loss={} (secure) base={}ms train={}ms", deviceId, task.getRound(),
                        r.examples(), String.format("%.4f", r.meanLoss()), millis(start, ready), millis(ready, trained));
                return;
            }
            ParameterCodec codec = Codecs.byName(task.getUpdateCodec().getName().isEmpty() ? "fp32" : task.getUpdateCodec().getName());
            byte[] payload = codec.encode(delta);
            UpdateHeader.Builder header = UpdateHeader.newBuilder().setDeviceId(deviceId).setTaskId(task.getTaskId())
                    .setRound(task.getRound()).setModel(task.getModel()).setBaseVersion(task.getBaseVersion())
                    .setIdempotencyKey(task.getTaskId() + "/" + deviceId).setNumExamples(r.examples())
                    .setCodec(CodecDescriptor.newBuilder().setName(codec.name())).setPayloadBytes(payload.length)
                    .setPayloadSha256(Digests.sha256Hex(payload)).setTrainLoss(r.meanLoss()).setTrainSeconds(r.seconds());
            if (cfg.getClipNorm() > 0) {
                header.setPrivacy(PrivacyInfo.newBuilder().setClipNorm(cfg.getClipNorm()).setNoiseMultiplier(cfg.getNoiseMultiplier()));
            }
            done.add(task.getTaskId());
            outbox.submit(new PendingUpload(header.build(), payload));
            if (soft != null) {
                distilled.incrementAndGet();
            }
            String taught = soft == null ? "" : " teacher=" + task.getTeacher().getModel() + "@" + task.getTeacher().getVersion();
            log.info("device={} trained round={} examples={} loss={}{} base={}ms train={}ms encode={}ms", deviceId, task.getRound(),
                    r.examples(), String.format("%.4f", r.meanLoss()), taught, millis(start, ready), millis(ready, trained),
                    millis(trained, System.nanoTime()));
        } catch (IOException | RuntimeException e) {
            log.warn("device={} task {} failed: {}", deviceId, task.getTaskId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.info("device={} task {} interrupted", deviceId, task.getTaskId());
        }
    }

    /**
     * Differential privacy on the device: clips the update to the task's L2 norm C, then, when the task asks for local
     * DP, adds Gaussian noise of noise_multiplier x C to every coordinate.
     */
    private ModelParameters privatise(ModelParameters delta, io.flock.proto.v1.TrainingConfig cfg) {
        if (cfg.getClipNorm() <= 0) {
            return delta;
        }
        ModelParameters clipped = new L2Clip(cfg.getClipNorm()).clip(delta).parameters();
        return cfg.getNoiseMultiplier() > 0 ? noise.add(clipped, (double) cfg.getNoiseMultiplier() * cfg.getClipNorm()) : clipped;
    }

    private void reject(TrainTask task, String reason) {
        String bounded = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 3) + "...";
        done.add(task.getTaskId());
        rejected.incrementAndGet();
        log.info("device={} rejects task {} round={}: {}", deviceId, task.getTaskId(), task.getRound(), bounded);
        rejections.rejected(task, bounded);
    }

    /** @return tasks refused since this worker was made */
    public long rejections() {
        return rejected.get();
    }

    /** @return tasks trained with a teacher's soft targets since this worker was made */
    public long distilled() {
        return distilled.get();
    }

    /** A native model for trainings that need one (not MLPs); kept across tasks while the spec stays. */
    private FlockModel scratch(ModelSpec spec) {
        if (scratch == null || !scratch.spec().equals(spec)) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = new FlockModel(spec, deviceId + "-train");
        }
        return scratch;
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    @Override
    public synchronized void close() {
        if (scratch != null) {
            scratch.close();
            scratch = null;
        }
    }
}
