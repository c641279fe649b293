package io.flock.simulator.fleetops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots of a fleetops run: the answers' accuracy per window with the drift and the production version, each drift
 * statistic's PSI per monitor window with the 0.2 line, and a rollout's devices on the candidate against its cohort.
 */
public final class FleetOpsPlots {
    private FleetOpsPlots() {
    }

    /** Writes the plots the section has data for. */
    @SuppressWarnings("unchecked")
    public static void all(Map<String, Object> section, Path dir, String name) throws IOException {
        List<Map<String, Object>> windows = (List<Map<String, Object>>) section.get("windows");
        accuracy(windows, dir, name);
        Map<String, Map<String, List<List<Object>>>> drift = (Map<String, Map<String, List<List<Object>>>>) section.get("drift");
        if (drift != null && drift.containsKey("fleet") && !windows.isEmpty()) {
            drift(drift.get("fleet"), ((Number) windows.get(0).get("startMs")).longValue(), section.get("driftStartMs"), dir, name);
        }
        if (section.containsKey("rollout")) {
            rollout(windows, dir, name);
        }
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE).setLegendPosition(Styler.LegendPosition.OutsideS);
        return chart;
    }

    private static double[] column(List<Map<String, Object>> rows, String key) {
        return rows.stream().mapToDouble(r -> r.get(key) instanceof Number n ? n.doubleValue() : Double.NaN).toArray();
    }

    private static void accuracy(List<Map<String, Object>> windows, Path dir, String name) throws IOException {
        XYChart chart = chart(name + ": accuracy of the answers per window", "window", "accuracy");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        double[] x = column(windows, "window");
        chart.addSeries("answers right (as the devices see the truth)", x, column(windows, "accuracy")).setMarker(SeriesMarkers.CIRCLE);
        List<Double> driftX = new ArrayList<>();
        for (Map<String, Object> w : windows) {
            if (Boolean.TRUE.equals(w.get("driftOn"))) {
                driftX.add(((Number) w.get("window")).doubleValue());
            }
        }
        if (!driftX.isEmpty()) {
            chart.addSeries("drift on", driftX.stream().mapToDouble(Double::doubleValue).toArray(), driftX.stream().mapToDouble(d -> 0.02)
                    .toArray()).setMarker(SeriesMarkers.SQUARE).setLineStyle(org.knowm.xchart.style.lines.SeriesLines.NONE);
        }
        double[] versions = column(windows, "productionVersion");
        double first = versions.length == 0 ? 0 : versions[0];
        List<Double> changedX = new ArrayList<>();
        for (int i = 1; i < versions.length; i++) {
            if (versions[i] != versions[i - 1]) {
                changedX.add(x[i]);
            }
        }
        if (!changedX.isEmpty()) {
            chart.addSeries("a new production version (from v" + (long) first + ")", changedX.stream().mapToDouble(Double::doubleValue).toArray(),
                    changedX.stream().mapToDouble(d -> 0.06).toArray()).setMarker(SeriesMarkers.TRIANGLE_UP)
                    .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.NONE);
        }
        BitmapEncoder.saveBitmap(chart, dir.resolve("fleetops-accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void drift(Map<String, List<List<Object>>> fleet, long t0, Object driftStart, Path dir, String name) throws IOException {
        XYChart chart = chart(name + ": drift statistics of the fleet per monitor window (PSI; error-rate: DDM level / 10)",
                "seconds since serving began", "PSI");
        chart.getStyler().setYAxisMin(0.0);
        double maxX = 0;
        for (Map.Entry<String, List<List<Object>>> e : fleet.entrySet()) {
            boolean ddm = e.getKey().equals("error-rate");
            double[] x = e.getValue().stream().mapToDouble(p -> (((Number) p.get(0)).longValue() - t0) / 1000.0).toArray();
            double[] y = e.getValue().stream().mapToDouble(p -> Math.max(0, ((Number) p.get(1)).doubleValue()) / (ddm ? 10 : 1)).toArray();
            for (double v : x) {
                maxX = Math.max(maxX, v);
            }
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
        }
        chart.addSeries("PSI 0.2 (alarm with p < alpha/m)", new double[] {0, Math.max(1, maxX)}, new double[] {0.2, 0.2})
                .setMarker(SeriesMarkers.NONE).setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        if (driftStart instanceof Number d) {
            double at = (d.longValue() - t0) / 1000.0;
            chart.addSeries("drift begins", new double[] {at, at}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE)
                    .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DOT_DOT);
        }
        BitmapEncoder.saveBitmap(chart, dir.resolve("fleetops-drift.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void rollout(List<Map<String, Object>> windows, Path dir, String name) throws IOException {
        List<Map<String, Object>> rows = windows.stream().filter(w -> w.containsKey("devicesOnCandidate")).toList();
        if (rows.isEmpty()) {
            return;
        }
        XYChart chart = chart(name + ": devices on the candidate against its cohort", "window", "devices");
        chart.getStyler().setYAxisMin(0.0);
        double[] x = column(rows, "window");
        chart.addSeries("devices in the cohort", x, column(rows, "cohortDevices")).setMarker(SeriesMarkers.SQUARE);
        chart.addSeries("devices running the candidate", x, column(rows, "devicesOnCandidate")).setMarker(SeriesMarkers.CIRCLE);
        BitmapEncoder.saveBitmap(chart, dir.resolve("fleetops-rollout.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
