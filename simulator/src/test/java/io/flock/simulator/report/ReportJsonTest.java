package io.flock.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {
    @TempDir
    Path dir;

    @Test
    void nonFiniteNumbers_areWrittenAsNull_finiteOnesAsNumbers_inMapsAndRecords() throws Exception {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("medianRoundSeconds", Double.NaN);
        summary.put("finalAccuracy", Double.POSITIVE_INFINITY);
        summary.put("totalSeconds", 12.5);
        summary.put("rows", List.of(new RoundRow(1, Double.NaN, 0.7, 0.3, 10, 0, 100, 200)));
        Path file = dir.resolve("report.json");

        ReportJson.write(file, summary);

        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertThat(root.get("medianRoundSeconds").isNull()).isTrue();
        assertThat(root.get("finalAccuracy").isNull()).isTrue();
        assertThat(root.get("totalSeconds").doubleValue()).isEqualTo(12.5);
        assertThat(root.get("rows").get(0).get("accuracy").isNull()).isTrue();
        assertThat(root.get("rows").get(0).get("loss").doubleValue()).isEqualTo(0.7);
    }
}
