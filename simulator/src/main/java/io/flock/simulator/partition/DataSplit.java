package io.flock.simulator.partition;

import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.simulator.fleet.DeviceData;
import io.flock.simulator.scenario.ScenarioConfig;
import io.flock.simulator.scenario.Simulation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/flock data split}: a labelled IDX training set split into one private directory per device, as the
 * simulator splits it, for agents run by hand ({@code --set data-dir=DIR/device-001}).
 */
public final class DataSplit {
    private final PrintStream out;

    /** @param out where the progress and summary lines go */
    public DataSplit(PrintStream out) {
        this.out = out;
    }

    /**
     * @param data      directory with train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz
     * @param devices   how many directories, >= 1
     * @param partition iid, dirichlet:ALPHA or pathological:SHARDS
     * @param target    where device-001, device-002, ... go; must not hold them already
     * @return the device directories
     * @throws ConfigException naming the bad option
     */
    public List<Path> split(Path data, int devices, String partition, long seed, Path target) throws IOException {
        ConfigException.require(devices >= 1, "--devices", devices);
        ScenarioConfig.PartitionSpec spec = parse(partition, seed);
        Path images = data.resolve("train-images-idx3-ubyte.gz");
        Path labels = data.resolve("train-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new ConfigException("--data " + data + " holds no train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz");
        }
        if (Files.exists(target.resolve("device-001"))) {
            throw new ConfigException("--out " + target + " already holds device directories; choose an empty directory");
        }
        ByteDataset train = IdxFormat.readLabelled(images, labels);
        List<ByteDataset> parts = Simulation.partitions(spec, devices, train);
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Path dir = DeviceData.write(parts.get(i), target.resolve(String.format("device-%03d", i + 1)));
            dirs.add(dir);
            if ((i + 1) % 100 == 0 || i + 1 == parts.size()) {
                out.printf("wrote %d of %d device directories%n", i + 1, parts.size());
            }
        }
        int min = parts.stream().mapToInt(ByteDataset::size).min().orElse(0);
        int max = parts.stream().mapToInt(ByteDataset::size).max().orElse(0);
        out.printf("split %d images from %s over %d devices (%s, seed %d): %d-%d images each, in %s%n", train.size(), data, devices,
                partition, seed, min, max, target.toAbsolutePath());
        return dirs;
    }

    private static ScenarioConfig.PartitionSpec parse(String text, long seed) {
        String[] p = text.split(":", 2);
        try {
            return switch (p[0]) {
                case "iid" -> new ScenarioConfig.PartitionSpec("iid", 0.5, 2, seed);
                case "dirichlet" -> new ScenarioConfig.PartitionSpec("dirichlet", p.length > 1 ? positive(Double.parseDouble(p[1])) : 0.5, 2, seed);
                case "pathological" -> new ScenarioConfig.PartitionSpec("pathological", 0.5,
                        p.length > 1 ? (int) positive(Integer.parseInt(p[1])) : 2, seed);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException e) {
            throw new ConfigException("--partition must be iid, dirichlet:ALPHA (ALPHA > 0) or pathological:SHARDS, got '" + text + "'");
        }
    }

    private static double positive(double v) {
        if (!(v > 0)) {
            throw new NumberFormatException();
        }
        return v;
    }
}
