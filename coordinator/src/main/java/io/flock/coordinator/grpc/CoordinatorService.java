package io.flock.coordinator.grpc;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.InvalidInputException;
import io.flock.core.model.Prediction;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.HeartbeatAck;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RegisterResponse;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.TelemetryAck;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The coordinator's gRPC edge: converts flock.v1 messages to domain calls and domain errors to statuses. */
public final class CoordinatorService extends CoordinatorGrpc.CoordinatorImplBase {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorService.class);
    private final String model;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final RoundEngine rounds;
    private final ModelServing serving;
    private final long maxUpdateBytes;
    private final int chunkBytes;
    private final AtomicLong telemetryReports = new AtomicLong();

    /**
     * @param model          the model this coordinator serves
     * @param registry       versions and artifacts
     * @param devices        registration and heartbeats
     * @param rounds         receives updates
     * @param serving        answers offloaded predictions
     * @param maxUpdateBytes largest update stream
     * @param chunkBytes     artifact chunk size for fetches
     */
    public CoordinatorService(String model, ModelRegistry registry, DeviceRegistry devices, RoundEngine rounds,
                              ModelServing serving, long maxUpdateBytes, int chunkBytes) {
        this.model = model;
        this.registry = registry;
        this.devices = devices;
        this.rounds = rounds;
        this.serving = serving;
        this.maxUpdateBytes = maxUpdateBytes;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
        answer(out, () -> {
            devices.register(request.getDevice().getDeviceId(), request.getDevice().getHardware(), request.getEnrollmentToken());
            return RegisterResponse.newBuilder().setDeviceId(request.getDevice().getDeviceId()).addModels(model).build();
        });
    }

    @Override
    public void sendHeartbeat(Heartbeat request, StreamObserver<HeartbeatAck> out) {
        answer(out, () -> {
            devices.heartbeat(request.getDeviceId(), request.getRunningVersion(), request.getLastRejection());
            long current = registry.current(model).map(ModelVersion::version).orElse(0L);
            return HeartbeatAck.newBuilder().setServerUnixMs(System.currentTimeMillis()).setCurrentVersion(current).build();
        });
    }

    @Override
    public void reportTelemetry(Telemetry request, StreamObserver<TelemetryAck> out) {
        answer(out, () -> {
            devices.requireKnown(request.getDeviceId());
            log.debug("telemetry device={} version={} local={} offloaded={} fallback={}", request.getDeviceId(),
                    request.getRunningVersion(), request.getLocalPredictions(), request.getOffloadedPredictions(),
                    request.getFallbackPredictions());
            return TelemetryAck.newBuilder().setReceived(telemetryReports.incrementAndGet()).build();
        });
    }

    @Override
    public void getCurrentModel(GetCurrentModelRequest request, StreamObserver<ModelAnnouncement> out) {
        answer(out, () -> {
            devices.requireKnown(request.getDeviceId());
            String name = request.getModel().isEmpty() ? model : request.getModel();
            if (!name.equals(model)) {
                throw new ModelNotFoundException("unknown model '" + name + "'");
            }
            return WireMapper.announcement(registry.requireCurrent(model), chunkBytes, false);
        });
    }

    @Override
    public void fetchArtifact(FetchArtifactRequest request, StreamObserver<ArtifactChunk> out) {
        try {
            devices.requireKnown(request.getDeviceId());
            byte[] bytes = registry.artifact(request.getSha256());
            if (request.getOffset() < 0 || request.getOffset() > bytes.length) {
                throw new InvalidInputException("offset " + request.getOffset() + " outside 0.." + bytes.length);
            }
            for (ArtifactChunk c : WireMapper.chunks(request.getSha256(), bytes, chunkBytes, request.getOffset())) {
                out.onNext(c);
            }
            out.onCompleted();
        } catch (Exception e) {
            out.onError(StatusMapper.toStatus(e));
        }
    }

    @Override
    public StreamObserver<UpdateChunk> uploadUpdate(StreamObserver<UploadReceipt> out) {
        return new UploadReceiver(rounds, maxUpdateBytes, out);
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        answer(out, () -> {
            long start = System.nanoTime();
            float[] raw = new float[request.getFeaturesCount()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = request.getFeatures(i);
            }
            Prediction p = serving.predict(request.getModel(), raw);
            PredictResponse.Builder b = PredictResponse.newBuilder().setLabel(p.label()).setModel(p.model())
                    .setVersion(p.version()).setSource(PredictResponse.Source.OFFLOADED)
                    .setLatencyMs((System.nanoTime() - start) / 1e6);
            for (float f : p.probabilities()) {
                b.addProbabilities(f);
            }
            return b.build();
        });
    }

    private interface Call<T> {
        T run();
    }

    private static <T> void answer(StreamObserver<T> out, Call<T> call) {
        T result;
        try {
            result = call.run();
        } catch (Exception e) {
            out.onError(StatusMapper.toStatus(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
