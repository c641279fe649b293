package io.flock.coordinator.http;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The v2 tensor datatypes an input may have: the numeric ones whose JSON values convert to the FP32 features a
 * model takes. BOOL, BYTES, FP16 and BF16 are not among them.
 */
enum Datatype {
    FP32(false, -Double.MAX_VALUE, Double.MAX_VALUE), FP64(false, -Double.MAX_VALUE, Double.MAX_VALUE),
    INT8(true, Byte.MIN_VALUE, Byte.MAX_VALUE), INT16(true, Short.MIN_VALUE, Short.MAX_VALUE),
    INT32(true, Integer.MIN_VALUE, Integer.MAX_VALUE), INT64(true, Long.MIN_VALUE, Long.MAX_VALUE),
    UINT8(true, 0, 255), UINT16(true, 0, 65_535), UINT32(true, 0, 4_294_967_295d), UINT64(true, 0, 18_446_744_073_709_551_615d);

    private final boolean integral;
    private final double min;
    private final double max;

    Datatype(boolean integral, double min, double max) {
        this.integral = integral;
        this.min = min;
        this.max = max;
    }

    /** @return the datatype named {@code name} (exact v2 spelling), or null */
    static Datatype named(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    /** @return the names, for an error message */
    static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /** @return why a JSON number is not a value of this datatype, or null when it is (finiteness is checked elsewhere) */
    String reject(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return null;
        }
        if (integral && value != Math.rint(value)) {
            return "not an integer, as " + this + " needs";
        }
        if (value < min || value > max) {
            return String.format(Locale.ROOT, "outside the %s range [%.0f, %.0f]", this, min, max);
        }
        return null;
    }
}
