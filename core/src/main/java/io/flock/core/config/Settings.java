package io.flock.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flat, layered key/value configuration. Values come from the defaults, then a YAML file (nested
 * maps become dotted keys: {@code mqtt: {url: x}} is {@code mqtt.url}), then environment variables
 * ({@code FLOCK_MQTT_URL} for {@code mqtt.url}; dots and dashes become underscores), then flags, each
 * layer overriding the one before. Only keys present in the defaults are allowed. Immutable.
 */
public final class Settings {
    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * @param defaults every known key with its default value ("" = unset)
     * @param yaml     optional YAML file, null for none
     * @param env      environment (usually {@code System.getenv()})
     * @param flags    key=value pairs from the command line
     * @throws ConfigException for an unknown key, naming it and where it came from
     */
    public static Settings resolve(Map<String, String> defaults, Path yaml, Map<String, String> env,
                                   Map<String, String> flags) {
        Map<String, String> v = new TreeMap<>(defaults);
        if (yaml != null) {
            overlay(v, readYaml(yaml), "file " + yaml);
        }
        for (String key : defaults.keySet()) {
            String e = env.get(envName(key));
            if (e != null) {
                v.put(key, e);
            }
        }
        overlay(v, flags, "flags");
        return new Settings(v);
    }

    /** @return the environment variable that sets {@code key} */
    public static String envName(String key) {
        return "FLOCK_" + key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    private static void overlay(Map<String, String> v, Map<String, String> layer, String source) {
        for (Map.Entry<String, String> e : layer.entrySet()) {
            if (!v.containsKey(e.getKey())) {
                throw new ConfigException("unknown key '" + e.getKey() + "' in " + source + "; known keys: " + v.keySet());
            }
            v.put(e.getKey(), e.getValue());
        }
    }

    private static Map<String, String> readYaml(Path file) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
            Map<String, String> flat = new LinkedHashMap<>();
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw new ConfigException("file " + file + " must hold a YAML mapping of keys");
                }
                flatten("", root, flat);
            }
            return flat;
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /** @return a YAML mapping's leaves as dotted keys ({@code round: {devices: 5}} is {@code round.devices=5}), in order */
    public static Map<String, String> flatten(JsonNode mapping) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", mapping, flat);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(key, e.getValue().isNull() ? "" : e.getValue().asText());
            }
        }
    }

    /** @return the raw value, "" when unset */
    public String string(String key) {
        String s = values.get(key);
        if (s == null) {
            throw new ConfigException("unknown key '" + key + "'");
        }
        return s.trim();
    }

    /** @return the value as an int */
    public int integer(String key) {
        try {
            return Integer.parseInt(string(key));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a whole number, got '" + string(key) + "'");
        }
    }

    /** @return the value as a double */
    public double decimal(String key) {
        try {
            return Double.parseDouble(string(key));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number, got '" + string(key) + "'");
        }
    }

    /** @return true for "true"/"yes"/"on", false for "false"/"no"/"off" */
    public boolean bool(String key) {
        return switch (string(key).toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key + " must be true or false, got '" + string(key) + "'");
        };
    }

    /** @return a duration written like "30s", "250ms", "5m", "1h", "7d" */
    public Duration duration(String key) {
        String s = string(key);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1).trim());
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new ConfigException(key + " must be a duration like 30s, 250ms or 5m, got '" + s + "'");
        }
    }

    /** @return a size written like "4MiB", "512KiB", "1024" (bytes); never negative */
    public long bytes(String key) {
        String s = string(key).replace(" ", "");
        try {
            int shift = s.endsWith("GiB") ? 30 : s.endsWith("MiB") ? 20 : s.endsWith("KiB") ? 10 : 0;
            long n = Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 3));
            if (n < 0 || n > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a size like 4MiB, 512KiB or a byte count, got '" + s + "'");
        }
    }

    /** @return a path, or null when the value is empty */
    public Path path(String key) {
        String s = string(key);
        try {
            return s.isEmpty() ? null : Path.of(s);
        } catch (InvalidPathException e) {
            throw new ConfigException(key + " must be a path, got '" + s + "': " + e.getReason());
        }
    }

    /** @return every resolved key and value, sorted by key */
    public Map<String, String> asMap() {
        return new TreeMap<>(values);
    }
}
