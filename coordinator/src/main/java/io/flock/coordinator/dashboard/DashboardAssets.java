package io.flock.coordinator.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The files the dashboard page loads, all from the classpath (nothing from another host): uPlot's script and style
 * from its WebJar ({@code org.webjars.npm:uplot}), and the page's own chart script. A fixed table: a URL path names
 * one of these or nothing, never an arbitrary classpath resource.
 */
public final class DashboardAssets {
    /** The URL prefix of every asset. */
    public static final String PREFIX = "/static/";
    /** uPlot's browser build. */
    public static final String UPLOT_JS = PREFIX + "uplot/uPlot.iife.min.js";
    /** uPlot's style sheet. */
    public static final String UPLOT_CSS = PREFIX + "uplot/uPlot.min.css";
    /** The page's script: draws the charts, refreshes the page. */
    public static final String DASHBOARD_JS = PREFIX + "dashboard.js";
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/";
    private static final Map<String, Asset> ASSETS = Map.of(
            UPLOT_JS, new Asset(WEBJAR + "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            UPLOT_CSS, new Asset(WEBJAR + "dist/uPlot.min.css", "text/css; charset=utf-8"),
            DASHBOARD_JS, new Asset("io/flock/coordinator/dashboard/dashboard.js", "text/javascript; charset=utf-8"));

    private DashboardAssets() {
    }

    /**
     * One served file.
     *
     * @param resource    its classpath resource name
     * @param contentType its media type
     */
    public record Asset(String resource, String contentType) {
        /**
         * @return its bytes
         * @throws IllegalStateException when the jar lacks it (a build without the WebJar)
         */
        public byte[] bytes() {
            try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the dashboard asset " + resource + " is missing from the classpath");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @return the asset at a URL path (e.g. {@value #DASHBOARD_JS}), empty for any other path */
    public static Optional<Asset> at(String path) {
        return Optional.ofNullable(ASSETS.get(path));
    }

    /** @return the uPlot WebJar's version, read from its Maven metadata: the jar's resources sit under it */
    static String uplotVersion() {
        try (InputStream in = DashboardAssets.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
