package io.flock.simulator.fleetops;

import io.flock.coordinator.store.DriftRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The coordinator's stored drift rows as a report shows them. */
public final class DriftRows {
    private DriftRows() {
    }

    /** @return one alarm in a line: its window, cohort, statistic and effect */
    public static String describe(DriftRow r) {
        return String.format("window ending %d: %s in %s, %s %.3f, %d answers", r.windowEndMs(), r.statistic(), r.cohort(),
                r.statistic().equals("error-rate") ? "DDM level" : "PSI", r.value(), r.samples());
    }

    /**
     * @return per cohort and statistic, the series of (window end, value, alarm) over the run: what the drift plot draws
     */
    public static Map<String, Map<String, List<List<Object>>>> series(List<DriftRow> rows) {
        Map<String, Map<String, List<List<Object>>>> out = new LinkedHashMap<>();
        for (DriftRow r : rows) {
            out.computeIfAbsent(r.cohort(), c -> new LinkedHashMap<>()).computeIfAbsent(r.statistic(), x -> new java.util.ArrayList<>())
                    .add(List.of(r.windowEndMs(), Double.isFinite(r.value()) ? r.value() : -1.0, r.alarm()));
        }
        return out;
    }
}
