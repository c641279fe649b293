package io.flock.coordinator.dashboard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet: devices registered and online, the production version, devices per version (the version each device
 * last reported running) and the same per cohort, as a cohort-by-version table.
 */
final class FleetPanel {
    private FleetPanel() {
    }

    static void write(Markup m, DashboardSnapshot.Fleet fleet) {
        m.raw("<section class=\"panel\" id=\"fleet\"><h2>Fleet</h2>");
        if (fleet == null) {
            m.empty("fleet-none", "no fleet data in this snapshot").raw("</section>");
            return;
        }
        m.raw("<div class=\"cards\">")
                .card("fleet-registered", "registered", Format.count(fleet.registered()), "devices")
                .card("fleet-online", "online", Format.count(fleet.online()),
                        fleet.registered() > 0 ? Format.percent((double) fleet.online() / fleet.registered()) + " of registered" : "")
                .card("fleet-production", "production", Format.version(fleet.productionVersion()), "the fleet's target version")
                .raw("</div>");
        versions(m, fleet);
        cohorts(m, fleet);
        m.raw("</section>");
    }

    private static void versionTable(Markup m, Map<Long, Integer> perVersion, long production) {
        int total = perVersion.values().stream().mapToInt(Integer::intValue).sum();
        m.raw("<h3>Devices per version</h3>").table("fleet-versions", "version", "devices", "share");
        new TreeMap<>(perVersion).descendingMap().forEach((version, n) -> {
            m.raw("<tr").attr("data-version", Long.toString(version)).raw("><td>").text(version == 0 ? "none yet" : Format.version(version));
            if (version == production && version != 0) {
                m.raw(" <span class=\"tag\">production</span>");
            }
            m.raw("</td>").td(Format.count(n)).td(total > 0 ? Format.percent((double) n / total) : Format.NONE).raw("</tr>");
        });
        m.raw("</tbody></table>");
    }

    private static void versions(Markup m, DashboardSnapshot.Fleet fleet) {
        Map<Long, Integer> perVersion = fleet.devicesPerVersion() == null ? Map.of() : fleet.devicesPerVersion();
        if (perVersion.isEmpty()) {
            m.raw("<h3>Devices per version</h3>").empty("fleet-versions-none", "no device has reported a version yet");
            return;
        }
        versionTable(m, perVersion, fleet.productionVersion());
    }

    private static void cohorts(Markup m, DashboardSnapshot.Fleet fleet) {
        Map<String, Map<Long, Integer>> perCohort = fleet.versionsPerCohort() == null ? Map.of() : fleet.versionsPerCohort();
        m.raw("<h3>Versions per cohort</h3>");
        if (perCohort.isEmpty()) {
            m.empty("fleet-cohorts-none", "no cohorts");
            return;
        }
        TreeSet<Long> versions = new TreeSet<>(Comparator.reverseOrder());
        perCohort.values().forEach(counts -> versions.addAll(counts.keySet()));
        List<String> headers = new ArrayList<>();
        headers.add("cohort");
        versions.forEach(v -> headers.add(v == 0 ? "none yet" : Format.version(v)));
        m.table("fleet-cohorts", headers.toArray(String[]::new));
        List<String> names = new ArrayList<>(perCohort.keySet());
        names.sort(Comparator.comparingInt(FleetPanel::rank).thenComparing(Comparator.naturalOrder()));
        for (String cohort : names) {
            Map<Long, Integer> counts = perCohort.get(cohort);
            m.raw("<tr").attr("data-cohort", cohort).raw("><th>").text(cohort).raw("</th>");
            for (long v : versions) {
                Integer n = counts.get(v);
                m.raw("<td").attr("data-version", Long.toString(v)).raw(">").text(n == null ? "" : Format.count(n)).raw("</td>");
            }
            m.raw("</tr>");
        }
        m.raw("</tbody></table>");
    }

    /** canary first, control second, label cohorts after them */
    private static int rank(String cohort) {
        return switch (cohort) {
            case "canary" -> 0;
            case "control" -> 1;
            default -> 2;
        };
    }
}
