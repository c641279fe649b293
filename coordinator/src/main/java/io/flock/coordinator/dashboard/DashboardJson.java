package io.flock.coordinator.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The dashboard's JSON: the snapshot as {@code GET /api/dashboard} answers it, and the chart series the page embeds.
 * Records map field by field (their component names); a map keyed by version has the version as a string key; a NaN
 * (an unscored accuracy, a statistic without p-value) is the string {@code "NaN"}, which Jackson reads back as NaN.
 */
public final class DashboardJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DashboardJson() {
    }

    /** @return the snapshot as UTF-8 JSON */
    public static byte[] snapshot(DashboardSnapshot snapshot) {
        try {
            return JSON.writeValueAsBytes(snapshot);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param json what {@link #snapshot} wrote
     * @return the snapshot it holds
     * @throws UncheckedIOException when it is no snapshot
     */
    public static DashboardSnapshot readSnapshot(byte[] json) {
        try {
            return JSON.readValue(json, DashboardSnapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a dashboard snapshot: " + e.getMessage(), e);
        }
    }

    /** @return the charts as JSON safe to embed in a {@code <script type="application/json">} element */
    static String charts(DashboardCharts charts) {
        try {
            return Html.scriptJson(JSON.writeValueAsString(charts));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
