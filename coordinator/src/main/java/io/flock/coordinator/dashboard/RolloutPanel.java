package io.flock.coordinator.dashboard;

import java.util.List;

/**
 * The model's newest rollout: id, candidate and the version it replaces, status, the stage it is at among its stages
 * (with each stage's cohort share), the canary devices, the last gate decision, and the last health window's gates,
 * canary against control, failed gates highlighted.
 */
final class RolloutPanel {
    private RolloutPanel() {
    }

    static void write(Markup m, DashboardSnapshot.Rollout r) {
        m.raw("<section class=\"panel\" id=\"rollout\"><h2>Rollout</h2>");
        if (r == null) {
            m.empty("rollout-none", "this model has had no rollout yet").raw("</section>");
            return;
        }
        List<Double> stages = r.stagesPercent() == null ? List.of() : r.stagesPercent();
        String stage = "stage " + (r.stage() + 1) + " of " + stages.size();
        String share = r.stage() >= 0 && r.stage() < stages.size() ? Format.stagePercent(stages.get(r.stage())) : Format.NONE;
        m.raw("<div class=\"cards\">")
                .card("rollout-id", "rollout", "#" + r.id(), "stage since " + Format.instant(r.stageStartedMs()))
                .card("rollout-version", "candidate", Format.version(r.version()), "replaces " + Format.version(r.previousVersion()))
                .raw("<div class=\"card status-" + Markup.cssName(r.status()) + "\"><div class=\"label\">status</div>")
                .raw("<div class=\"value\" id=\"rollout-status\">").text(r.status()).raw("</div></div>")
                .card("rollout-stage", "stage", stage, share + " of the fleet")
                .card("rollout-canary", "canary devices", Format.count(r.canaryDevices()), "in this stage's cohort")
                .raw("</div>");
        stages(m, r, stages);
        m.raw("<p class=\"decision\"><span class=\"label\">last decision</span> <span id=\"rollout-decision\">")
                .text(r.lastDecision() == null || r.lastDecision().isEmpty() ? "none yet" : r.lastDecision()).raw("</span></p>");
        gates(m, r.gates() == null ? List.of() : r.gates());
        m.raw("</section>");
    }

    private static void stages(Markup m, DashboardSnapshot.Rollout r, List<Double> stages) {
        boolean completed = "COMPLETED".equals(r.status());
        m.raw("<ol class=\"stages\" id=\"rollout-stages\">");
        for (int i = 0; i < stages.size(); i++) {
            String state = completed || i < r.stage() ? "done" : i == r.stage() ? "current" : "ahead";
            m.raw("<li").attr("class", state).attr("data-stage", Integer.toString(i)).raw(">").text(Format.stagePercent(stages.get(i)))
                    .raw("</li>");
        }
        m.raw("</ol>");
    }

    private static void gates(Markup m, List<DashboardSnapshot.Gate> gates) {
        m.raw("<h3>Gates, last health window</h3>");
        if (gates.isEmpty()) {
            m.empty("rollout-gates-none", "no health window assessed yet");
            return;
        }
        m.table("rollout-gates", "gate", "canary", "control", "threshold", "result");
        for (DashboardSnapshot.Gate g : gates) {
            boolean undecided = g.note() != null && !g.note().isEmpty();
            m.raw("<tr").attr("data-gate", g.name()).attr("data-passed", Boolean.toString(g.passed()))
                    .attr("class", g.passed() ? "pass" : "fail").raw(">").td(g.name()).td(Format.decimal(g.canary()))
                    .td(Format.decimal(g.control())).td(Format.decimal(g.threshold()))
                    .td((g.passed() ? "pass" : "FAIL") + (undecided ? " (" + g.note() + ")" : "")).raw("</tr>");
        }
        m.raw("</tbody></table>");
    }
}
