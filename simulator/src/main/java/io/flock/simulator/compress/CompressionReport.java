package io.flock.simulator.compress;

import io.flock.simulator.report.ReportJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The study's outputs: the printed table, {@code compression.json} and {@code compression.png} (size against accuracy). */
public final class CompressionReport {
    private CompressionReport() {
    }

    /** Prints one line per pipeline, Pareto-optimal rows marked with *. */
    public static void print(List<CompressionStudy.Row> rows, PrintStream out) {
        List<CompressionStudy.Row> front = pareto(rows);
        out.printf("%-20s %9s %8s %10s %7s %9s %9s %8s %8s %8s%n", "pipeline", "fine-tune", "params", "bytes", "ratio", "accuracy",
                "change", "sparsity", "p50 ms", "p99 ms");
        for (CompressionStudy.Row r : rows) {
            out.printf("%-20s %9s %7.1fk %10d %6.1fx %9.4f %+7.2fpt %7.0f%% %8.3f %8.3f%s%n", r.pipeline(),
                    r.fineTuneRounds() == 0 ? "-" : r.fineTuneRounds() + " rounds", r.parameters() / 1000.0, r.bytes(), r.ratio(),
                    r.accuracy(), r.deltaPoints(), 100 * r.sparsity(), r.p50Ms(), r.p99Ms(), front.contains(r) ? " *" : "");
        }
        out.println("* on the Pareto front: no other row is both smaller and at least as accurate");
    }

    /** @return the rows no other row beats on both bytes (fewer) and accuracy (at least as high) */
    static List<CompressionStudy.Row> pareto(List<CompressionStudy.Row> rows) {
        List<CompressionStudy.Row> front = new ArrayList<>();
        for (CompressionStudy.Row r : rows) {
            boolean dominated = rows.stream().anyMatch(o -> o != r && o.bytes() <= r.bytes() && o.accuracy() >= r.accuracy()
                    && (o.bytes() < r.bytes() || o.accuracy() > r.accuracy()));
            if (!dominated) {
                front.add(r);
            }
        }
        front.sort(Comparator.comparingLong(CompressionStudy.Row::bytes));
        return front;
    }

    /** Writes {@code compression.json} (the rows, the front and {@code context}) and {@code compression.png}. */
    public static void write(List<CompressionStudy.Row> rows, Map<String, Object> context, Path dir, String title) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(context);
        json.put("rows", rows);
        json.put("paretoFront", pareto(rows).stream().map(CompressionStudy.Row::pipeline).toList());
        ReportJson.write(dir.resolve("compression.json"), json);

        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("artifact KB (log scale)")
                .yAxisTitle("test accuracy").build();
        chart.getStyler().setXAxisLogarithmic(true).setChartBackgroundColor(java.awt.Color.WHITE)
                .setLegendPosition(Styler.LegendPosition.OutsideE);
        for (CompressionStudy.Row r : rows) {
            String label = r.pipeline() + (r.fineTuneRounds() > 0 ? " (fine-tuned)" : "");
            chart.addSeries(label, new double[] {r.bytes() / 1024.0}, new double[] {r.accuracy()})
                    .setMarker(r.fineTuneRounds() > 0 ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE); // colours repeat past eight
        }
        List<CompressionStudy.Row> front = pareto(rows);
        XYSeries line = chart.addSeries("Pareto front", front.stream().mapToDouble(r -> r.bytes() / 1024.0).toArray(),
                front.stream().mapToDouble(CompressionStudy.Row::accuracy).toArray());
        line.setMarker(SeriesMarkers.NONE).setLineColor(java.awt.Color.GRAY);
        BitmapEncoder.saveBitmap(chart, dir.resolve("compression.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
