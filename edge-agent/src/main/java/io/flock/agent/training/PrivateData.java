package io.flock.agent.training;

import io.flock.core.InvalidInputException;
import io.flock.core.data.CsvFormat;
import io.flock.core.data.Dataset;
import io.flock.core.data.IdxFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The device's private training data, read from a local directory and never sent anywhere. The
 * directory holds either an IDX pair ({@code train-images-idx3-ubyte[.gz]} and
 * {@code train-labels-idx1-ubyte[.gz]}) or one or more {@code *.csv} files (label in the last column).
 */
public final class PrivateData {
    private PrivateData() {
    }

    /** @throws InvalidInputException when the directory holds neither form */
    public static Dataset load(Path dir) throws IOException {
        for (String ext : new String[] {".gz", ""}) {
            Path images = dir.resolve("train-images-idx3-ubyte" + ext);
            Path labels = dir.resolve("train-labels-idx1-ubyte" + ext);
            if (Files.exists(images) && Files.exists(labels)) {
                return IdxFormat.readLabelled(images, labels);
            }
        }
        List<Path> csv;
        try (Stream<Path> files = Files.list(dir)) {
            csv = files.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        if (csv.isEmpty()) {
            throw new InvalidInputException("data directory " + dir + " has no train-*-idx*-ubyte[.gz] pair and no *.csv file");
        }
        if (csv.size() > 1) {
            throw new InvalidInputException("data directory " + dir + " has " + csv.size() + " CSV files; keep one");
        }
        return CsvFormat.read(csv.get(0));
    }
}
