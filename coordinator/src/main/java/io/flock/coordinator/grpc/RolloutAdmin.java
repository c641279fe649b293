package io.flock.coordinator.grpc;

import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.rollout.GateResult;
import io.flock.coordinator.rollout.Rollout;
import io.flock.coordinator.rollout.RolloutController;
import io.flock.coordinator.store.FleetEventRow;
import io.flock.proto.v1.FleetEvent;
import io.flock.proto.v1.FleetEventsRequest;
import io.flock.proto.v1.FleetEventsResponse;
import io.flock.proto.v1.GateInfo;
import io.flock.proto.v1.RolloutInfo;
import io.flock.proto.v1.RolloutRequest;
import io.flock.proto.v1.StartRolloutRequest;
import java.time.Duration;
import java.util.function.Function;

/** The Admin service's rollout and fleet-event calls, mapped between the wire and the model's {@link RolloutController}. */
final class RolloutAdmin {
    private static final int STEPS = 20;
    private static final int MAX_EVENTS = 1000;
    private final String model;
    private final RolloutController rollouts;
    private final FleetEvents events;

    RolloutAdmin(String model, RolloutController rollouts, FleetEvents events) {
        this.model = model;
        this.rollouts = rollouts;
        this.events = events;
    }

    RolloutInfo start(StartRolloutRequest r) {
        require(r.getModel());
        if (r.getSoakSeconds() < 0) {
            throw new io.flock.core.InvalidInputException("soak_seconds must be >= 0 (0 = rollout.soak), got " + r.getSoakSeconds());
        }
        FieldLimits.require("reason", r.getReason(), FieldLimits.REASON);
        Rollout started = rollouts.start(r.getVersion(), r.getStagesPercentList(), r.getSoakSeconds() == 0 ? null
                : Duration.ofSeconds(r.getSoakSeconds()), r.getLabelsMap(), r.getReason());
        return info(started);
    }

    RolloutInfo get(RolloutRequest r) {
        require(r.getModel());
        return info(rollouts.latest().orElseThrow(() -> new ModelNotFoundException("model " + model + " never had a rollout")));
    }

    RolloutInfo act(RolloutRequest r, Function<String, Rollout> action) {
        require(r.getModel());
        FieldLimits.require("reason", r.getReason(), FieldLimits.REASON);
        return info(action.apply(r.getReason()));
    }

    RolloutController controller() {
        return rollouts;
    }

    FleetEventsResponse events(FleetEventsRequest r) {
        require(r.getModel());
        int limit = r.getLimit() <= 0 ? 50 : Math.min(MAX_EVENTS, r.getLimit());
        FleetEventsResponse.Builder b = FleetEventsResponse.newBuilder();
        events.newest(model, limit).forEach(e -> b.addEvents(event(e)));
        return b.build();
    }

    private void require(String name) {
        FieldLimits.require("model", name, FieldLimits.MODEL);
        if (!model.equals(name)) {
            throw new ModelNotFoundException("no model named '" + FieldLimits.echo(name) + "' rolls out here (this coordinator's is " + model + ")");
        }
    }

    private RolloutInfo info(Rollout r) {
        RolloutInfo.Builder b = RolloutInfo.newBuilder().setId(r.id()).setModel(r.model()).setVersion(r.version())
                .setPreviousVersion(r.previousVersion()).setStatus(r.status().name()).setStage(r.stage()).addAllStagesPercent(r.stages())
                .setStageStartedUnixMs(r.stageStartedMs()).setSoakMs(r.soak().toMillis()).setLastDecision(r.lastDecision())
                .setCanaryDevices(rollouts.canaryDevices()).putAllLabels(r.labels());
        if (r.status().active()) {
            for (GateResult g : rollouts.lastGates()) {
                b.addGates(GateInfo.newBuilder().setName(g.name()).setCanary(g.canary()).setControl(g.control()).setThreshold(g.threshold())
                        .setPassed(g.passed()).setNote(g.note()));
            }
        }
        events.newest(model, STEPS).stream().filter(e -> !e.kind().equals(FleetEvents.DRIFT) && !e.kind().equals(FleetEvents.TRIGGER))
                .forEach(e -> b.addSteps(event(e)));
        return b.build();
    }

    private static FleetEvent event(FleetEventRow e) {
        return FleetEvent.newBuilder().setUnixMs(e.atMs()).setKind(e.kind()).setDetail(e.detail()).build();
    }
}
