package io.flock.coordinator.dashboard;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the dashboard writes numbers, shares, durations, versions and instants: one way everywhere, "n/a" for none. */
final class Format {
    /** What a value that is missing, NaN or infinite shows as. */
    static final String NONE = "n/a";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** @return the value to 4 significant digits, plain (no exponent), trailing zeros dropped: 0.1234, 12.5, 1234 */
    static String decimal(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        if (v == 0) {
            return "0";
        }
        return BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** @return a fraction as a percentage to one decimal: 0.9123 is "91.2 %" */
    static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f %%", fraction * 100) : NONE;
    }

    /** @return a stage share already in percent, as written: 0.5 is "0.5 %", 10.0 is "10 %" */
    static String stagePercent(double percent) {
        return Double.isFinite(percent) ? decimal(percent) + " %" : NONE;
    }

    /** @return a duration in milliseconds to two decimals: "4.20 ms" */
    static String millis(double ms) {
        return Double.isFinite(ms) ? String.format(Locale.ROOT, "%.2f ms", ms) : NONE;
    }

    /** @return a rate per second to one decimal: "12.3 /s" */
    static String perSecond(double rate) {
        return Double.isFinite(rate) ? String.format(Locale.ROOT, "%.1f /s", rate) : NONE;
    }

    /** @return a count with thousands separators: "12,345" */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** @return a model version as "v3", or "none" for 0 (no version) */
    static String version(long v) {
        return v == 0 ? "none" : "v" + v;
    }

    /** @return a Unix-ms instant in UTC to the second, or "n/a" for 0 or less (never) */
    static String instant(long ms) {
        return ms <= 0 ? NONE : UTC.format(Instant.ofEpochMilli(ms));
    }
}
