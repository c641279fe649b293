package io.flock.coordinator.rollout;

import io.flock.coordinator.store.RolloutRow;
import io.flock.link.wire.Cohorts;
import io.flock.proto.v1.CohortRule;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A staged rollout's state, immutable: each change makes a new one, which the controller stores.
 *
 * @param id              its id, from the database
 * @param model           the model
 * @param version         the candidate
 * @param previousVersion the production version it replaces
 * @param stages          cohort share of each stage, percent
 * @param stage           index of the current stage
 * @param status          where it stands
 * @param stageStartedMs  when the current stage began, Unix ms
 * @param soak            how long each stage runs before the next
 * @param salt            the cohort hash salt
 * @param labels          the labels a device needs to be in any stage's cohort
 * @param lastDecision    the last decision, in words
 * @param startedMs       when it started, Unix ms
 */
public record Rollout(long id, String model, long version, long previousVersion, List<Double> stages, int stage, RolloutStatus status,
                      long stageStartedMs, Duration soak, String salt, Map<String, String> labels, String lastDecision, long startedMs) {
    /** Copies the collections. */
    public Rollout {
        stages = List.copyOf(stages);
        labels = Map.copyOf(labels);
    }

    /** @return the current stage's cohort share, percent */
    public double percent() {
        return stages.get(stage);
    }

    /** @return whether this is the last stage (100 %) */
    public boolean lastStage() {
        return stage == stages.size() - 1;
    }

    /** @return the current stage's cohort rule, as devices are told it */
    public CohortRule cohort() {
        return CohortRule.newBuilder().setSalt(salt).setBasisPoints(Cohorts.basisPoints(percent())).putAllLabels(labels).build();
    }

    /** @return this rollout at another stage, begun at {@code atMs} */
    public Rollout atStage(int next, long atMs, String decision) {
        return new Rollout(id, model, version, previousVersion, stages, next, status, atMs, soak, salt, labels, decision, startedMs);
    }

    /** @return this rollout with another status */
    public Rollout with(RolloutStatus next, String decision) {
        return new Rollout(id, model, version, previousVersion, stages, stage, next, stageStartedMs, soak, salt, labels, decision, startedMs);
    }

    /** @return it as stored */
    public RolloutRow row() {
        return new RolloutRow(id, model, version, previousVersion, stages.stream().map(Rollout::percentText).collect(Collectors.joining(",")),
                stage, status.name(), stageStartedMs, soak.toMillis(), salt, labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .sorted().collect(Collectors.joining(",")), lastDecision, startedMs);
    }

    /** @return the rollout a stored row describes */
    public static Rollout of(RolloutRow r) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String kv : r.labels().split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                labels.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return new Rollout(r.id(), r.model(), r.version(), r.previousVersion(), Arrays.stream(r.stages().split(",")).map(Double::parseDouble).toList(),
                r.stage(), RolloutStatus.valueOf(r.status()), r.stageStartedMs(), Duration.ofMillis(r.soakMs()), r.salt(), labels,
                r.lastDecision(), r.startedMs());
    }

    /** @return a share as written in stage lists: 1 rather than 1.0 */
    static String percentText(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    /** @return the stages as written: "1,10,50,100" */
    public String stagesText() {
        return stages.stream().map(Rollout::percentText).collect(Collectors.joining(","));
    }
}
