package io.flock.core.data;

import io.flock.core.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads labelled CSV: one sample per line, numeric features, the integer class label in the last
 * column. A first line that does not parse as numbers is taken as a header and skipped.
 */
public final class CsvFormat {
    private CsvFormat() {
    }

    /** @throws InvalidInputException naming the file and line of a bad row */
    public static FloatDataset read(Path file) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int width = -1;
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                try {
                    float[] f = new float[cells.length - 1];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = Float.parseFloat(cells[i].trim());
                        if (!Float.isFinite(f[i])) {
                            throw new InvalidInputException(file + ":" + lineNo + " feature " + i + " is " + f[i]);
                        }
                    }
                    int label = (int) Double.parseDouble(cells[cells.length - 1].trim());
                    if (width >= 0 && f.length != width) {
                        throw new InvalidInputException(file + ":" + lineNo + " has " + f.length + " features, expected " + width);
                    }
                    if (label < 0) {
                        throw new InvalidInputException(file + ":" + lineNo + " has negative label " + label);
                    }
                    width = f.length;
                    rows.add(f);
                    labels.add(label);
                } catch (NumberFormatException e) {
                    if (lineNo == 1) {
                        continue;
                    }
                    throw new InvalidInputException(file + ":" + lineNo + " is not numeric: " + e.getMessage());
                }
            }
        }
        float[] features = new float[rows.size() * Math.max(width, 1)];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, features, i * width, width);
        }
        return new FloatDataset(features, labels.stream().mapToInt(Integer::intValue).toArray(), Math.max(width, 1));
    }
}
