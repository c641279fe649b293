package io.flock.simulator.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompressionReportTest {
    private static CompressionStudy.Row row(String name, long bytes, double accuracy) {
        return new CompressionStudy.Row(name, "mlp:4-2", 0, bytes, 1000.0 / bytes, accuracy, 0, 0, 10, 0.1, 0.2);
    }

    @Test
    void theParetoFront_keepsRowsNoOtherIsBothSmallerAndAsAccurate_smallestFirst() {
        CompressionStudy.Row fp32 = row("fp32", 1000, 0.84);
        CompressionStudy.Row int8 = row("int8", 250, 0.84);   // as accurate as fp32 and smaller: fp32 is dominated
        CompressionStudy.Row int4 = row("int4", 120, 0.845);  // smaller and more accurate than int8: int8 is dominated
        CompressionStudy.Row pruned = row("prune:0.9+int4", 30, 0.40);
        CompressionStudy.Row worse = row("prune:0.95+int8", 40, 0.30); // bigger and worse than pruned
        assertThat(CompressionReport.pareto(List.of(fp32, int8, int4, pruned, worse))).containsExactly(pruned, int4);
    }
}
