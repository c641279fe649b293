package io.flock.core.data;

import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV: one sample per line of numeric values. Labelled files ({@link #read}) carry the integer class label in the
 * last column; raw input rows ({@link #readRows}) carry features only. A first line that does not parse as numbers is
 * taken as a header and skipped; blank lines are skipped. Every row must have the same width and finite values.
 */
public final class CsvFormat {
    private CsvFormat() {
    }

    /** @throws InvalidInputException naming the file and line of a bad row */
    public static FloatDataset read(Path file) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            int width = parse(in, file.toString(), true, Integer.MAX_VALUE, (f, label) -> {
                rows.add(f);
                labels.add(label);
            });
            return new FloatDataset(flatten(rows, width), labels.stream().mapToInt(Integer::intValue).toArray(), width);
        }
    }

    /**
     * Reads rows of raw feature values (no label column).
     *
     * @param source  names the input in error messages
     * @param maxRows rows accepted at most
     * @throws InvalidInputException      naming the source and line of a bad row
     * @throws CapacityExceededException when there are more than {@code maxRows} rows
     */
    public static RawRows readRows(BufferedReader in, String source, int maxRows) throws IOException {
        List<float[]> rows = new ArrayList<>();
        int width = parse(in, source, false, maxRows, (f, label) -> rows.add(f));
        return new RawRows(flatten(rows, width), rows.size(), width);
    }

    private interface RowSink {
        void accept(float[] features, int label);
    }

    /** @return the row width (1 when there are no rows) */
    private static int parse(BufferedReader in, String source, boolean labelled, int maxRows, RowSink sink) throws IOException {
        int width = -1;
        int count = 0;
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",");
            int features = cells.length - (labelled ? 1 : 0);
            try {
                float[] f = new float[Math.max(features, 0)];
                for (int i = 0; i < f.length; i++) {
                    f[i] = Float.parseFloat(cells[i].trim());
                    if (!Float.isFinite(f[i])) {
                        throw new InvalidInputException(source + ":" + lineNo + " feature " + i + " is " + f[i]);
                    }
                }
                int label = labelled && features >= 0 ? (int) Double.parseDouble(cells[cells.length - 1].trim()) : 0;
                if (features < 1) {
                    throw new InvalidInputException(source + ":" + lineNo + " has no feature values");
                }
                if (width >= 0 && f.length != width) {
                    throw new InvalidInputException(source + ":" + lineNo + " has " + f.length + " features, expected " + width);
                }
                if (label < 0) {
                    throw new InvalidInputException(source + ":" + lineNo + " has negative label " + label);
                }
                if (++count > maxRows) {
                    throw new CapacityExceededException(source + " has more than " + maxRows + " rows");
                }
                width = f.length;
                sink.accept(f, label);
            } catch (NumberFormatException e) {
                if (lineNo == 1) {
                    continue;
                }
                throw new InvalidInputException(source + ":" + lineNo + " is not numeric: " + e.getMessage());
            }
        }
        return Math.max(width, 1);
    }

    private static float[] flatten(List<float[]> rows, int width) {
        float[] features = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, features, i * width, width);
        }
        return features;
    }
}
