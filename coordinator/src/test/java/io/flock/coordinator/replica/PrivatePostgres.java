package io.flock.coordinator.replica;

import io.flock.core.net.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own (initdb, pg_ctl from /usr/lib/postgresql/VERSION/bin) on a free loopback
 * port with trust authentication, so a test can stop and restart the server without disturbing the shared one. As root
 * the server runs as user postgres ({@code runuser}) in a directory it owns. {@link #close()} stops it and deletes the
 * directory.
 */
final class PrivatePostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean root;

    private PrivatePostgres(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.root = root;
    }

    /** Creates and starts a cluster. */
    static PrivatePostgres start() throws IOException, InterruptedException {
        Path bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElseThrow(() -> new IOException("no initdb under /usr/lib/postgresql"));
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("flock-pg-");
        PrivatePostgres pg = new PrivatePostgres(bin, dir, FreePorts.restartable(), root);
        if (root) {
            pg.run(List.of("chown", "postgres", dir.toString()), false);
        }
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres"), true);
        pg.pgCtl("start", "-w");
        pg.run(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(pg.port), "-U", "postgres", "-c",
                "CREATE DATABASE test"), true);
        return pg;
    }

    /** @return the JDBC URL of its database {@code test} */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test?user=postgres&connectTimeout=2&socketTimeout=10";
    }

    /** Stops the server (fast: open connections are closed), then starts it again on the same port and data. */
    void restart() throws IOException, InterruptedException {
        pgCtl("restart", "-w", "-m", "fast");
    }

    private void pgCtl(String action, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), action, "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("server.log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"));
        cmd.addAll(List.of(flags));
        run(cmd, true);
    }

    private void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres && root) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            pgCtl("stop", "-w", "-m", "immediate");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
