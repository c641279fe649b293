package io.flock.coordinator.grpc;

import com.google.protobuf.ByteString;
import io.flock.coordinator.batch.BatchResult;
import io.flock.coordinator.batch.InputSets;
import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.intake.UpdateSink;
import io.flock.coordinator.metrics.CoordinatorMetrics;
import io.flock.coordinator.monitor.FleetReports;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.rollout.Announcements;
import io.flock.coordinator.round.TrainingEngine;
import io.flock.coordinator.security.Enrollment;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.store.TelemetryRow;
import io.flock.coordinator.wire.BatchMessages;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.InvalidInputException;
import io.flock.core.model.Prediction;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.BatchPredictionChunk;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.EnrollRequest;
import io.flock.proto.v1.EnrollResponse;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.HeartbeatAck;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RegisterResponse;
import io.flock.proto.v1.RenewCertificateRequest;
import io.flock.proto.v1.SecAggReply;
import io.flock.proto.v1.SecAggRequest;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.TaskRejectionAck;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.TelemetryAck;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's gRPC edge for devices: converts flock.v1 messages to domain calls and domain errors to
 * statuses ({@link StatusMapper}). Every string field is checked against its limit before any other work.
 */
public final class CoordinatorService extends CoordinatorGrpc.CoordinatorImplBase {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorService.class);
    private final String model;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final UpdateSink updates;
    private final ByteBudget intakeBudget;
    private final TrainingEngine rounds;
    private final SecAggEndpoint secAgg;
    private final FleetReports reports;
    private final ModelServing serving;
    private final CoordinatorMetrics metrics;
    private final InputSets sets;
    private final Announcements announcements;
    private final long maxUpdateBytes;
    private final int chunkBytes;
    private final Callers callers;
    private final Enrollment enrollment;

    /** The parts the service calls. */
    public record Parts(ModelRegistry registry, DeviceRegistry devices, UpdateSink updates, ByteBudget intakeBudget, TrainingEngine rounds,
                        FleetReports reports, ModelServing serving, CoordinatorMetrics metrics, InputSets sets, Announcements announcements) {
    }

    /**
     * Who calls: the identity rule, and enrollment (null in insecure mode, where Enroll is refused FAILED_PRECONDITION).
     */
    public record Identity(Callers callers, Enrollment enrollment) {
        /** Insecure mode: bodies are believed, devices Register. */
        public static final Identity INSECURE = new Identity(Callers.INSECURE, null);
    }

    /**
     * @param model          the model devices follow
     * @param parts          the domain it calls
     * @param maxUpdateBytes largest update stream
     * @param chunkBytes     artifact chunk size for fetches
     * @param identity       who calls
     */
    public CoordinatorService(String model, Parts parts, long maxUpdateBytes, int chunkBytes, Identity identity) {
        this.callers = identity.callers();
        this.enrollment = identity.enrollment();
        this.model = model;
        this.registry = parts.registry();
        this.devices = parts.devices();
        this.updates = parts.updates();
        this.intakeBudget = parts.intakeBudget();
        this.rounds = parts.rounds();
        this.secAgg = new SecAggEndpoint(model, parts.rounds());
        this.reports = parts.reports();
        this.serving = parts.serving();
        this.metrics = parts.metrics();
        this.sets = parts.sets();
        this.announcements = parts.announcements();
        this.maxUpdateBytes = maxUpdateBytes;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
        StatusMapper.respond(out, () -> {
            String id = device(request.getDevice().getDeviceId());
            FieldLimits.require("hardware", request.getDevice().getHardware(), FieldLimits.HARDWARE);
            FieldLimits.require("enrollment_token", request.getEnrollmentToken(), FieldLimits.TOKEN);
            if (callers.secure()) {
                devices.enrolled(id); // an enrolled device, authenticated: registering is refreshing
            } else {
                devices.register(id, request.getDevice().getHardware(), request.getEnrollmentToken());
                String gateway = request.getDevice().getGatewayId();
                if (!gateway.isEmpty()) {
                    FieldLimits.require("gateway_id", gateway, FieldLimits.DEVICE_ID);
                    if (gateway.equals(id)) {
                        throw new InvalidInputException("device " + id + " cannot sit behind itself");
                    }
                    devices.gateways().assign(id, gateway); // insecure mode: as the device says (secure mode: as it enrolled)
                }
            }
            return RegisterResponse.newBuilder().setDeviceId(id).addModels(model).build();
        });
    }

    @Override
    public void sendHeartbeat(Heartbeat request, StreamObserver<HeartbeatAck> out) {
        StatusMapper.respond(out, () -> {
            String device = device(request.getDeviceId());
            reports.heartbeat(device, request.getModel(), request.getRunningVersion(), request.getRunningSha256(), request.getLastRejection());
            long current = registry.current(model).map(ModelVersion::version).orElse(0L);
            return HeartbeatAck.newBuilder().setServerUnixMs(System.currentTimeMillis()).setCurrentVersion(current).build();
        });
    }

    @Override
    public void reportTelemetry(Telemetry t, StreamObserver<TelemetryAck> out) {
        StatusMapper.respond(out, () -> {
            String device = device(t.getDeviceId());
            long n = reports.telemetry(new TelemetryRow(device, t.getModel(), System.currentTimeMillis(), t.getRunningVersion(),
                    t.getLocalPredictions(), t.getOffloadedPredictions(), t.getFallbackPredictions(), t.getMeanLatencyMs(),
                    t.getP99LatencyMs(), t.getErrors(), t.getRejections()), t.hasStatistics() ? t.getStatistics() : null, t.getUnixMs());
            metrics.telemetryReceived();
            return TelemetryAck.newBuilder().setReceived(n).build();
        });
    }

    @Override
    public void rejectTask(TaskRejection r, StreamObserver<TaskRejectionAck> out) {
        StatusMapper.respond(out, () -> {
            String device = device(r.getDeviceId());
            FieldLimits.require("task_id", r.getTaskId(), FieldLimits.TASK_ID);
            FieldLimits.require("model", r.getModel(), FieldLimits.MODEL);
            if (!model.equals(r.getModel())) {
                throw new ModelNotFoundException("no model named '" + FieldLimits.echo(r.getModel()) + "' sends tasks here");
            }
            reports.taskRejected(device, r.getModel(), r.getRound(), r.getTaskId(), r.getReason());
            boolean open = rounds.taskRejected(device, r.getRound(), r.getTaskId());
            metrics.taskRejected(r.getModel());
            log.info("round={} device={} rejected task {}: {}", r.getRound(), device, r.getTaskId(), r.getReason());
            return TaskRejectionAck.newBuilder().setRecorded(open).build();
        });
    }

    @Override
    public void getCurrentModel(GetCurrentModelRequest request, StreamObserver<ModelAnnouncement> out) {
        StatusMapper.respond(out, () -> {
            devices.requireKnown(device(request.getDeviceId()));
            String name = request.getModel().isEmpty() ? model : request.getModel();
            if (!name.equals(model)) {
                throw new ModelNotFoundException("unknown model '" + FieldLimits.echo(name) + "'");
            }
            return request.getVersion() == 0 ? announcements.forDevice(device(request.getDeviceId()))
                    : announcements.ofVersion(request.getVersion());
        });
    }

    @Override
    public void fetchArtifact(FetchArtifactRequest request, StreamObserver<ArtifactChunk> out) {
        try {
            devices.requireKnown(device(request.getDeviceId()));
            byte[] bytes = registry.artifact(FieldLimits.require("sha256", request.getSha256(), 64));
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
    public void fetchBatchPredictions(FetchBatchRequest request, StreamObserver<BatchPredictionChunk> out) {
        try {
            String device = device(request.getDeviceId());
            FieldLimits.require("set", request.getSet(), FieldLimits.MODEL);
            devices.requireKnown(device);
            if (request.getMaxRows() < 0) {
                throw new InvalidInputException("max_rows must be >= 0 (0 = the coordinator's choice), got " + request.getMaxRows());
            }
            BatchResult r = sets.result(request.getSet());
            if (request.getOffsetRows() < 0 || request.getOffsetRows() > r.rows()) {
                throw new InvalidInputException("offset_rows " + request.getOffsetRows() + " outside 0.." + r.rows());
            }
            for (BatchPredictionChunk c : BatchMessages.chunks(r, (int) request.getOffsetRows(),
                    BatchMessages.rowsPerChunk(r.classes(), request.getMaxRows()))) {
                out.onNext(c);
            }
            out.onCompleted();
        } catch (Exception e) {
            out.onError(StatusMapper.toStatus(e));
        }
    }

    @Override
    public StreamObserver<UpdateChunk> uploadUpdate(StreamObserver<UploadReceipt> out) {
        String caller = callers.caller();
        return new UploadReceiver(updates, metrics, intakeBudget, maxUpdateBytes, body -> callers.actingFor(caller, body), out);
    }

    @Override
    public void secureAggregation(SecAggRequest r, StreamObserver<SecAggReply> out) {
        try {
            secAgg.handle(device(r.getDeviceId()), r, out);
        } catch (Exception e) {
            out.onError(StatusMapper.toStatus(e));
        }
    }

    /** @return the device a call acts for: the body's id, checked against its limit and bound to the caller ({@link Callers}) */
    private String device(String bodyId) {
        return callers.actingFor(FieldLimits.require("device_id", bodyId, FieldLimits.DEVICE_ID));
    }

    @Override
    public void enroll(EnrollRequest r, StreamObserver<EnrollResponse> out) {
        StatusMapper.respond(out, () -> {
            if (enrollment == null) {
                throw Status.FAILED_PRECONDITION.withDescription("this coordinator runs insecure (security.mode=insecure): devices"
                        + " Register without enrolling").asRuntimeException();
            }
            String id = FieldLimits.require("device_id", r.getDevice().getDeviceId(), FieldLimits.DEVICE_ID);
            FieldLimits.require("hardware", r.getDevice().getHardware(), FieldLimits.HARDWARE);
            FieldLimits.require("enrollment_token", r.getEnrollmentToken(), FieldLimits.TOKEN);
            String gateway = callers.caller();
            if (gateway != null) {
                if (!r.getCertificationRequest().isEmpty()) {
                    throw new InvalidInputException("device " + gateway + " sent a certification request over its own certificate: a device"
                            + " enrolls itself without a client certificate, a gateway enrolls devices behind it without a request");
                }
                enrollment.enrollBehind(gateway, id, r.getDevice().getHardware(), r.getEnrollmentToken());
                return EnrollResponse.newBuilder().addModels(model).build();
            }
            return issued(enrollment.enroll(id, r.getDevice().getHardware(), r.getEnrollmentToken(), r.getCertificationRequest().toByteArray()));
        });
    }

    @Override
    public void renewCertificate(RenewCertificateRequest r, StreamObserver<EnrollResponse> out) {
        StatusMapper.respond(out, () -> {
            String device = callers.caller();
            if (enrollment == null || device == null) {
                throw Status.FAILED_PRECONDITION.withDescription("only an enrolled device renews, over its certificate").asRuntimeException();
            }
            return issued(enrollment.renew(device, r.getCertificationRequest().toByteArray()));
        });
    }

    private EnrollResponse issued(Enrollment.Issued i) {
        try {
            return EnrollResponse.newBuilder().setCertificate(ByteString.copyFrom(i.certificate().getEncoded()))
                    .setAuthority(ByteString.copyFrom(i.authority().getEncoded())).setNotAfterUnixMs(i.notAfter().toEpochMilli())
                    .addModels(model).build();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode an issued certificate", e);
        }
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        long start = System.nanoTime();
        CompletableFuture<Prediction> answer;
        try {
            FieldLimits.require("model", request.getModel(), FieldLimits.MODEL);
            Deadline deadline = Context.current().getDeadline();
            answer = serving.predict(request.getModel(), PredictionMessages.features(request),
                    deadline == null ? Long.MAX_VALUE : start + deadline.timeRemaining(TimeUnit.NANOSECONDS));
        } catch (RuntimeException e) {
            out.onError(StatusMapper.toStatus(e));
            return;
        }
        answer.whenComplete((p, error) -> {
            if (error != null) {
                out.onError(StatusMapper.toStatus(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error));
                return;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            metrics.predictionServed(p.model(), seconds);
            out.onNext(PredictionMessages.response(p, PredictResponse.Source.OFFLOADED, seconds * 1e3).build());
            out.onCompleted();
        });
    }
}
