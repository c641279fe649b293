package io.flock.simulator.report;

import io.flock.coordinator.serving.OffloadCalibration;
import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.OffloadAdvice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of a run report, and of a push workload's pushes. */
public final class Plots {
    private Plots() {
    }

    /** Writes accuracy, bytes, round time and participation plots. */
    public static void all(RunReport report, Path dir, String name) throws IOException {
        accuracy(report, dir, name + ": test accuracy per round");
        bytes(report, dir, name + ": payload bytes per round");
        roundTime(report, dir, name + ": round time");
        participation(report, dir, name + ": participants and failures per round");
    }

    /**
     * Writes {@code push-time.png} for a push workload: per pushed version, the seconds until every agent had
     * verified and loaded it, and the seconds of the coordinator's publish call within them.
     *
     * @param seconds        per push, in order; the first {@code warmups} were not timed
     * @param publishSeconds per push, the publish call alone
     */
    public static Path pushTimes(double[] seconds, double[] publishSeconds, int warmups, Path dir, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("push").yAxisTitle("seconds").build();
        chart.getStyler().setYAxisMin(0.0).setChartBackgroundColor(java.awt.Color.WHITE)
                .setLegendPosition(Styler.LegendPosition.OutsideS);
        double[] x = IntStream.rangeClosed(1, seconds.length).asDoubleStream().toArray();
        if (warmups > 0) {
            chart.addSeries("warm-up push (not timed): all agents loaded", Arrays.copyOf(x, warmups),
                    Arrays.copyOf(seconds, warmups)).setMarker(SeriesMarkers.DIAMOND);
        }
        chart.addSeries("timed push: all agents loaded", Arrays.copyOfRange(x, warmups, x.length),
                Arrays.copyOfRange(seconds, warmups, seconds.length)).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("publish call", x, publishSeconds).setMarker(SeriesMarkers.SQUARE);
        Path file = dir.resolve("push-time.png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Writes {@code round-time.png}: seconds per round. */
    public static Path roundTime(RunReport report, Path dir, String title) throws IOException {
        List<RoundRow> rows = report.rounds();
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("round").yAxisTitle("seconds").build();
        chart.getStyler().setYAxisMin(0.0).setLegendVisible(false).setChartBackgroundColor(java.awt.Color.WHITE);
        chart.addSeries("seconds", rows.stream().mapToDouble(RoundRow::round).toArray(),
                rows.stream().mapToDouble(RoundRow::seconds).toArray()).setMarker(SeriesMarkers.CIRCLE);
        Path file = dir.resolve("round-time.png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Writes {@code participation.png}: accepted updates and failures per round. */
    public static Path participation(RunReport report, Path dir, String title) throws IOException {
        List<RoundRow> rows = report.rounds();
        List<Long> rounds = rows.stream().map(RoundRow::round).toList();
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500).title(title).xAxisTitle("round").yAxisTitle("devices").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.addSeries("participants", rounds, rows.stream().map(r -> (Number) r.participants()).toList());
        chart.addSeries("failures", rounds, rows.stream().map(r -> (Number) r.failures()).toList());
        Path file = dir.resolve("participation.png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Writes {@code accuracy.png}: held-out accuracy per round. */
    public static Path accuracy(RunReport report, Path dir, String title) throws IOException {
        List<RoundRow> rows = report.rounds();
        double[] x = rows.stream().mapToDouble(RoundRow::round).toArray();
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("round").yAxisTitle("test accuracy").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setLegendVisible(false).setChartBackgroundColor(java.awt.Color.WHITE);
        chart.addSeries("accuracy", x, report.accuracies()).setMarker(SeriesMarkers.CIRCLE);
        Path file = dir.resolve("accuracy.png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * Writes {@code offload-curve.png}: hybrid accuracy against the share offloaded, one line per confidence score, the
     * device and cloud models alone as flat lines, and the advised point.
     */
    public static Path offloadCurve(Map<ConfidenceScore, List<OffloadCalibration.Point>> curves, OffloadAdvice advice, Path dir,
                                    String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("share of requests offloaded")
                .yAxisTitle("accuracy on the calibration set").build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisDecimalPattern("0.000").setYAxisTickMarkSpacingHint(60)
                .setMarkerSize(14).setChartBackgroundColor(java.awt.Color.WHITE).setLegendPosition(Styler.LegendPosition.InsideSE);
        curves.forEach((score, points) -> chart.addSeries("hybrid, offloading by " + score.wireName(),
                points.stream().mapToDouble(OffloadCalibration.Point::offloadRate).toArray(),
                points.stream().mapToDouble(OffloadCalibration.Point::hybridAccuracy).toArray()).setMarker(SeriesMarkers.NONE));
        chart.addSeries("device model alone", new double[] {0, 1}, new double[] {advice.localAccuracy(), advice.localAccuracy()})
                .setMarker(SeriesMarkers.NONE);
        chart.addSeries("cloud model alone", new double[] {0, 1}, new double[] {advice.cloudAccuracy(), advice.cloudAccuracy()})
                .setMarker(SeriesMarkers.NONE);
        chart.addSeries(String.format("advised: %s < %.3f", advice.score().wireName(), advice.threshold()),
                new double[] {advice.offloadRate()}, new double[] {advice.hybridAccuracy()}).setMarker(SeriesMarkers.DIAMOND)
                .setMarkerColor(java.awt.Color.BLACK);
        Path file = dir.resolve("offload-curve.png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Writes {@code bytes.png}: MB down and up per round. */
    public static Path bytes(RunReport report, Path dir, String title) throws IOException {
        List<RoundRow> rows = report.rounds();
        List<Long> rounds = rows.stream().map(RoundRow::round).toList();
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500).title(title).xAxisTitle("round").yAxisTitle("MB").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.addSeries("down (devices received)", rounds, rows.stream().map(r -> Megabytes.of(r.bytesDown())).toList());
        chart.addSeries("up (devices sent)", rounds, rows.stream().map(r -> Megabytes.of(r.bytesUp())).toList());
        Path file = dir.resolve("bytes.png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
