package io.flock.coordinator.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's Chromium, headless, for tests that look at a page as a browser shows it: {@link #dumpDom} (the DOM after
 * the page's scripts ran) and {@link #screenshot}. Each call starts its own browser with a fresh profile in a temporary
 * directory and no network of its own (no sync, updates, background requests or QUIC), bounded by a timeout: past it the
 * browser and its children are killed and the call fails. The binary is {@code $CHROMIUM}, else {@code /usr/bin/chromium}.
 */
public final class HeadlessChromium {
    private final Path binary;
    private final Duration timeout;

    private HeadlessChromium(Path binary, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
    }

    /** @return the installed browser, if there is one */
    public static Optional<Path> find() {
        String configured = System.getenv("CHROMIUM");
        Path p = Path.of(configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured);
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * @param timeout how long one call may take
     * @return the browser; when it is missing, the calling test fails in CI (env {@code CI=true}, where .ci/run installs
     *         it) and is skipped elsewhere, saying how to install it
     */
    public static HeadlessChromium require(Duration timeout) {
        Optional<Path> found = find();
        String missing = "no Chromium at " + (System.getenv("CHROMIUM") == null ? "/usr/bin/chromium" : System.getenv("CHROMIUM"))
                + "; install it with 'apt-get install -y chromium' (or set CHROMIUM to its binary)";
        if (found.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + ": CI must run the browser tests");
        }
        Assumptions.assumeTrue(found.isPresent(), missing);
        return new HeadlessChromium(found.get(), timeout);
    }

    /** @return the page's DOM as HTML once it has loaded and its scripts ran */
    public String dumpDom(URI url) {
        return run(List.of("--dump-dom", url.toString()));
    }

    /**
     * @param virtualTime how long the page runs, in the browser's virtual time (timers fire, the clock does not wait),
     *                    before its DOM is taken: for pages that change themselves later, such as a periodic refresh
     * @return the page's DOM as HTML then
     */
    public String dumpDom(URI url, Duration virtualTime) {
        return run(List.of("--virtual-time-budget=" + virtualTime.toMillis(), "--dump-dom", url.toString()));
    }

    /**
     * Saves a PNG of the page once it has loaded, in a window of that size.
     *
     * @param png where to write it (its directory is made)
     */
    public void screenshot(URI url, Path png, int width, int height) {
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.deleteIfExists(png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of("--hide-scrollbars", "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url.toString()));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("Chromium exited without writing " + png);
        }
    }

    /** @return what the browser wrote on its standard output */
    private String run(List<String> args) {
        Path profile = null;
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            profile = Files.createTempDirectory("flock-chromium-");
            out = Files.createTempFile("flock-chromium-", ".out");
            err = Files.createTempFile("flock-chromium-", ".err");
            List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
                    "--mute-audio", "--user-data-dir=" + profile));
            command.addAll(args);
            p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new AssertionError("Chromium did not finish within " + timeout + ": " + args + "\n" + tail(err));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("Chromium exited " + p.exitValue() + ": " + args + "\n" + tail(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for Chromium", e);
        } finally {
            if (p != null && p.isAlive()) {
                kill(p);
            }
            delete(profile);
            delete(out);
            delete(err);
        }
    }

    /** Kills the browser's children (renderer, GPU, zygote) and then the browser, and waits a little for them. */
    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    private static void delete(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException e) {
            // a temporary file left behind is harmless
        }
    }
}
