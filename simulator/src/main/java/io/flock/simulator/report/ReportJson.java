package io.flock.simulator.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the simulator's JSON reports. A number that does not exist (the median round of a push workload,
 * which has no rounds; the accuracy of a run that scored nothing) is written as {@code null}: JSON has no
 * NaN, and Jackson's default, the string {@code "NaN"}, breaks readers that expect a number or null.
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule("non-finite-as-null")
                    .addSerializer(Double.class, new NonFiniteAsNull())
                    .addSerializer(double.class, new NonFiniteAsNull()));

    private ReportJson() {
    }

    /** Writes {@code value} to {@code file} as indented JSON. */
    public static void write(Path file, Object value) throws IOException {
        MAPPER.writeValue(file.toFile(), value);
    }

    private static final class NonFiniteAsNull extends JsonSerializer<Double> {
        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            if (Double.isFinite(value)) {
                gen.writeNumber(value);
            } else {
                gen.writeNull();
            }
        }
    }
}
