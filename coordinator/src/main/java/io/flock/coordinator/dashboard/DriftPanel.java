package io.flock.coordinator.dashboard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drift: the newest assessment of each statistic in each cohort (value, p-value, window, alarm highlighted) and, for
 * each statistic, a chart of its values over time per cohort with the PSI alarm line (drawn in the browser).
 */
final class DriftPanel {
    private DriftPanel() {
    }

    static void write(Markup m, List<DashboardSnapshot.DriftPoint> drift, DashboardCharts charts) {
        m.raw("<section class=\"panel\" id=\"drift\"><h2>Drift</h2>");
        if (drift.isEmpty()) {
            m.empty("drift-none", "no drift assessment yet").raw("</section>");
            return;
        }
        Map<String, DashboardSnapshot.DriftPoint> latest = new LinkedHashMap<>();
        for (DashboardSnapshot.DriftPoint p : drift) { // oldest first: the last one of a statistic and cohort stays
            latest.put(p.statistic() + '\u0000' + p.cohort(), p);
        }
        long alarms = latest.values().stream().filter(DashboardSnapshot.DriftPoint::alarm).count();
        m.raw("<div class=\"cards\">")
                .card("drift-alarms", "alarms now", Long.toString(alarms), "in the newest window of each statistic and cohort")
                .card("drift-statistics", "statistics", Integer.toString(charts.drift().size()), "PSI alarm line at "
                        + Format.decimal(DashboardCharts.PSI_ALARM))
                .raw("</div>");
        m.raw("<div class=\"charts grid\">");
        for (int i = 0; i < charts.drift().size(); i++) {
            m.raw("<figure class=\"chart\"").attr("data-drift-chart", Integer.toString(i)).raw("><figcaption>")
                    .text(charts.drift().get(i).statistic()).raw(" <span class=\"unit\">per window end, UTC</span></figcaption></figure>");
        }
        m.raw("</div>");
        m.table("drift-latest", "statistic", "cohort", "value", "p-value", "window end", "alarm");
        for (DashboardSnapshot.DriftPoint p : latest.values()) {
            m.raw("<tr").attr("data-statistic", p.statistic()).attr("data-cohort", p.cohort())
                    .attr("data-alarm", Boolean.toString(p.alarm())).attr("class", p.alarm() ? "alarm" : "").raw(">")
                    .td(p.statistic()).td(p.cohort()).td(Format.decimal(p.value())).td(Format.decimal(p.pValue()))
                    .td(Format.instant(p.windowEndMs())).td(p.alarm() ? "ALARM" : "").raw("</tr>");
        }
        m.raw("</tbody></table></section>");
    }
}
