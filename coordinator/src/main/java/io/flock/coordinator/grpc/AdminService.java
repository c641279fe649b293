package io.flock.coordinator.grpc;

import io.flock.coordinator.batch.InputSets;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.privacy.PrivacyLedger;
import io.flock.coordinator.registry.ArtifactVariant;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.rollout.RolloutController;
import io.flock.coordinator.security.DeviceTrust;
import io.flock.coordinator.security.Enrollment;
import io.flock.coordinator.store.PrivacyRow;
import io.flock.coordinator.wire.BatchMessages;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.CreateEnrollmentTokenRequest;
import io.flock.proto.v1.EnrollmentToken;
import io.flock.proto.v1.FetchVariantRequest;
import io.flock.proto.v1.FleetEventsRequest;
import io.flock.proto.v1.FleetEventsResponse;
import io.flock.proto.v1.InputSetInfo;
import io.flock.proto.v1.InputSetPart;
import io.flock.proto.v1.ListInputSetsRequest;
import io.flock.proto.v1.ListInputSetsResponse;
import io.flock.proto.v1.ListModelsRequest;
import io.flock.proto.v1.ListModelsResponse;
import io.flock.proto.v1.ListVersionsRequest;
import io.flock.proto.v1.ListVersionsResponse;
import io.flock.proto.v1.ModelSummary;
import io.flock.proto.v1.PrivacyCost;
import io.flock.proto.v1.PromoteRequest;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.flock.proto.v1.RevokeDeviceResponse;
import io.flock.proto.v1.RollbackRequest;
import io.flock.proto.v1.RolloutInfo;
import io.flock.proto.v1.RolloutRequest;
import io.flock.proto.v1.StartRolloutRequest;
import io.flock.proto.v1.TriggerRoundsRequest;
import io.flock.proto.v1.TriggerRoundsResponse;
import io.flock.proto.v1.VariantInfo;
import io.flock.proto.v1.VariantPart;
import io.flock.proto.v1.VersionInfo;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The operator's gRPC edge to the registry, batch predictions and fleet operations: list models and versions, promote,
 * roll back, fetch a variant for export, register and list input sets, run staged rollouts and read fleet events.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_TRIGGERED = 1000;
    /** Chunks of an exported variant: well under gRPC's 4 MiB message limit. */
    private static final int CHUNK_BYTES = 1 << 20;
    private final ModelRegistry registry;
    private final RoundTrigger trigger;
    private final InputSets sets;
    private final Enrollment enrollment;
    private final DeviceTrust trust;
    private final RolloutAdmin rollouts;
    private final String model;
    private final PrivacyLedger privacy;
    private final java.util.function.Supplier<String> training;

    /** Queues rounds of a model on the training schedule. */
    public interface RoundTrigger {
        /**
         * @return rounds waiting to start
         * @throws io.flock.coordinator.round.RoundClosedException when no schedule runs
         */
        long trigger(String model, int rounds);
    }

    /**
     * @param registry the models it administers
     * @param trigger  the training schedule's door
     * @param sets     input sets for batch predictions
     * @param enrollment makes enrollment tokens; null in insecure mode
     * @param trust      revokes devices; null in insecure mode
     * @param model      the model whose rollouts and fleet events this serves
     * @param rollouts   its staged rollouts
     * @param events     its fleet events
     * @param privacy    its differential privacy ledger
     * @param training   its training status ("running", "idle" or why it stopped)
     */
    public AdminService(ModelRegistry registry, RoundTrigger trigger, InputSets sets, Enrollment enrollment, DeviceTrust trust,
                        String model, RolloutController rollouts, FleetEvents events, PrivacyLedger privacy,
                        java.util.function.Supplier<String> training) {
        this.model = model;
        this.privacy = privacy;
        this.training = training;
        this.rollouts = new RolloutAdmin(model, rollouts, events);
        this.enrollment = enrollment;
        this.trust = trust;
        this.registry = registry;
        this.trigger = trigger;
        this.sets = sets;
    }

    @Override
    public void startRollout(StartRolloutRequest r, StreamObserver<RolloutInfo> out) {
        StatusMapper.respond(out, () -> rollouts.start(r));
    }

    @Override
    public void getRollout(RolloutRequest r, StreamObserver<RolloutInfo> out) {
        StatusMapper.respond(out, () -> rollouts.get(r));
    }

    @Override
    public void pauseRollout(RolloutRequest r, StreamObserver<RolloutInfo> out) {
        StatusMapper.respond(out, () -> rollouts.act(r, rollouts.controller()::pause));
    }

    @Override
    public void resumeRollout(RolloutRequest r, StreamObserver<RolloutInfo> out) {
        StatusMapper.respond(out, () -> rollouts.act(r, rollouts.controller()::resume));
    }

    @Override
    public void abortRollout(RolloutRequest r, StreamObserver<RolloutInfo> out) {
        StatusMapper.respond(out, () -> rollouts.act(r, rollouts.controller()::abort));
    }

    @Override
    public void rollbackRollout(RolloutRequest r, StreamObserver<RolloutInfo> out) {
        StatusMapper.respond(out, () -> rollouts.act(r, rollouts.controller()::rollback));
    }

    @Override
    public void listFleetEvents(FleetEventsRequest r, StreamObserver<FleetEventsResponse> out) {
        StatusMapper.respond(out, () -> rollouts.events(r));
    }

    @Override
    public void createEnrollmentToken(CreateEnrollmentTokenRequest r, StreamObserver<EnrollmentToken> out) {
        StatusMapper.respond(out, () -> {
            requireSecure();
            Enrollment.Token t = enrollment.createToken(r.getUses(), java.time.Duration.ofSeconds(r.getTtlSeconds()));
            return EnrollmentToken.newBuilder().setToken(t.value()).setUses(t.uses()).setExpiresUnixMs(t.expires().toEpochMilli()).build();
        });
    }

    @Override
    public void revokeDevice(RevokeDeviceRequest r, StreamObserver<RevokeDeviceResponse> out) {
        StatusMapper.respond(out, () -> {
            requireSecure();
            String id = FieldLimits.require("device_id", r.getDeviceId(), FieldLimits.DEVICE_ID);
            int n = trust.revoke(id);
            if (n < 0) {
                throw io.grpc.Status.NOT_FOUND.withDescription("no device '" + FieldLimits.echo(id) + "' is registered").asRuntimeException();
            }
            return RevokeDeviceResponse.newBuilder().setCertificatesRevoked(n).build();
        });
    }

    private void requireSecure() {
        if (enrollment == null) {
            throw io.grpc.Status.FAILED_PRECONDITION.withDescription("this coordinator runs insecure (security.mode=insecure):"
                    + " there are no enrollment tokens or certificates").asRuntimeException();
        }
    }

    @Override
    public StreamObserver<InputSetPart> registerInputSet(StreamObserver<InputSetInfo> out) {
        return new InputSetReceiver(sets, out);
    }

    @Override
    public void listInputSets(ListInputSetsRequest request, StreamObserver<ListInputSetsResponse> out) {
        StatusMapper.respond(out, () -> {
            ListInputSetsResponse.Builder b = ListInputSetsResponse.newBuilder();
            sets.list().forEach(s -> b.addSets(BatchMessages.info(s)));
            return b.build();
        });
    }

    @Override
    public void triggerRounds(TriggerRoundsRequest request, StreamObserver<TriggerRoundsResponse> out) {
        StatusMapper.respond(out, () -> {
            String model = requireModel(request.getModel());
            if (request.getRounds() < 1 || request.getRounds() > MAX_TRIGGERED) {
                throw new InvalidInputException("rounds must be 1.." + MAX_TRIGGERED + ", got " + request.getRounds());
            }
            return TriggerRoundsResponse.newBuilder().setQueued(trigger.trigger(model, request.getRounds())).build();
        });
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        StatusMapper.respond(out, () -> {
            ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
            for (String m : registry.models()) {
                List<ModelVersion> versions = registry.versions(m, Integer.MAX_VALUE);
                ModelSummary.Builder s = ModelSummary.newBuilder().setModel(m).setVersions(versions.size())
                        .setProductionVersion(registry.current(m).map(ModelVersion::version).orElse(0L));
                if (!versions.isEmpty()) {
                    s.setSpec(versions.get(0).spec()).setLatestVersion(versions.get(0).version());
                }
                if (m.equals(model)) {
                    s.setTrainingStatus(training.get()).setMaxEpsilon(privacy.config().maxEpsilon());
                    privacy.latest().ifPresent(row -> s.setPrivacy(cost(row)));
                }
                b.addModels(s);
            }
            return b.build();
        });
    }

    @Override
    public void listVersions(ListVersionsRequest request, StreamObserver<ListVersionsResponse> out) {
        StatusMapper.respond(out, () -> {
            String model = requireModel(request.getModel());
            if (request.getLimit() < 0) {
                throw new InvalidInputException("limit must be >= 0, got " + request.getLimit());
            }
            ListVersionsResponse.Builder b = ListVersionsResponse.newBuilder();
            registry.versions(model, request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit()).forEach(v -> b.addVersions(info(v)));
            return b.build();
        });
    }

    @Override
    public void promote(PromoteRequest request, StreamObserver<VersionInfo> out) {
        StatusMapper.respond(out, () -> {
            String model = requireModel(request.getModel());
            if (request.getStage() == io.flock.proto.v1.Stage.STAGE_UNSPECIFIED || request.getStage() == io.flock.proto.v1.Stage.UNRECOGNIZED) {
                throw new InvalidInputException("stage must be candidate, canary, production or archived");
            }
            return info(registry.promote(model, request.getVersion(), Stage.valueOf(request.getStage().name())));
        });
    }

    @Override
    public void rollback(RollbackRequest request, StreamObserver<VersionInfo> out) {
        StatusMapper.respond(out, () -> {
            String model = requireModel(request.getModel());
            if (request.getVersion() < 0) {
                throw new InvalidInputException("version must be >= 0, got " + request.getVersion());
            }
            return info(registry.rollback(model, request.getVersion()));
        });
    }

    @Override
    public void fetchVariant(FetchVariantRequest request, StreamObserver<VariantPart> out) {
        try {
            String model = requireModel(request.getModel());
            FieldLimits.require("variant", request.getVariant(), FieldLimits.MODEL);
            if (request.getVersion() < 0) {
                throw new InvalidInputException("version must be >= 0 (0 = production), got " + request.getVersion());
            }
            ModelVersion v = request.getVersion() == 0 ? registry.requireCurrent(model) : registry.requireVersion(model, request.getVersion());
            ArtifactVariant variant = request.getVariant().isEmpty() ? v.pushed() : v.variants().stream()
                    .filter(a -> a.codec().equals(request.getVariant())).findFirst()
                    .orElseThrow(() -> new ModelNotFoundException(model + " v" + v.version() + " has no variant '"
                            + FieldLimits.echo(request.getVariant()) + "' (it has " + v.variants().stream().map(ArtifactVariant::codec)
                            .collect(Collectors.joining(", ")) + ")"));
            byte[] bytes = registry.artifact(variant.manifest().sha256());
            out.onNext(VariantPart.newBuilder().setManifest(WireMapper.announcement(v, variant, CHUNK_BYTES, false)).build());
            for (ArtifactChunk c : WireMapper.chunks(variant.manifest().sha256(), bytes, CHUNK_BYTES, 0)) {
                out.onNext(VariantPart.newBuilder().setChunk(c).build());
            }
            out.onCompleted();
        } catch (Exception e) {
            out.onError(StatusMapper.toStatus(e));
        }
    }

    private String requireModel(String model) {
        FieldLimits.require("model", model, FieldLimits.MODEL);
        if (!registry.models().contains(model)) {
            throw new ModelNotFoundException("unknown model '" + FieldLimits.echo(model) + "'");
        }
        return model;
    }

    /** @return what a ledger row says a version cost */
    private PrivacyCost cost(PrivacyRow row) {
        return PrivacyCost.newBuilder().setEpsilon(row.epsilon()).setDelta(row.delta()).setRounds(privacy.noisedRounds(row.round())).setNoiseMultiplier(
                row.noiseMultiplier()).setClipNorm(row.clipNorm()).setSamplingRate(row.samplingRate()).build();
    }

    private VersionInfo info(ModelVersion v) {
        VersionInfo.Builder b = VersionInfo.newBuilder().setModel(v.model()).setVersion(v.version())
                .setStage(io.flock.proto.v1.Stage.valueOf(v.stage().name())).setCreatedUnixMs(v.createdMs())
                .setAccuracy(v.accuracy()).setLoss(v.loss()).setSpec(v.spec()).setRound(v.round());
        for (ArtifactVariant a : v.variants()) {
            b.addVariants(VariantInfo.newBuilder().setCodec(a.codec()).setSha256(a.manifest().sha256())
                    .setSizeBytes(a.manifest().sizeBytes()).setPushed(a.pushed()));
        }
        if (v.model().equals(model)) {
            privacy.forVersion(v.version()).ifPresent(row -> b.setPrivacy(cost(row)));
        }
        return b.build();
    }
}
