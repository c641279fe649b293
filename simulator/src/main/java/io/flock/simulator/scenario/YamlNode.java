package io.flock.simulator.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.flock.core.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** A YAML mapping read with its path, so every error names the full key (e.g. deviceProfiles[1].share). */
final class YamlNode {
    private final JsonNode node;
    private final String path;

    YamlNode(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new ConfigException((path.isEmpty() ? "scenario" : path) + " must be a mapping of keys");
        }
        this.node = node;
        this.path = path;
    }

    /** Fails on the first key not in {@code allowed}. */
    YamlNode allow(Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new ConfigException("unknown key '" + key(k) + "'; known here: " + new java.util.TreeSet<>(allowed));
            }
        }
        return this;
    }

    /** @return the mapping itself */
    JsonNode json() {
        return node;
    }

    String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    boolean has(String k) {
        return node.has(k) && !node.get(k).isNull();
    }

    String string(String k, String def) {
        return has(k) ? node.get(k).asText() : def;
    }

    int integer(String k, int def) {
        if (!has(k)) {
            return def;
        }
        JsonNode v = node.get(k);
        if (!v.isIntegralNumber()) {
            throw new ConfigException(key(k) + " must be a whole number, got '" + v.asText() + "'");
        }
        if (!v.canConvertToInt()) {
            throw new ConfigException(key(k) + " must be a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ", got '"
                    + v.asText() + "'");
        }
        return v.asInt();
    }

    double decimal(String k, double def) {
        if (!has(k)) {
            return def;
        }
        JsonNode v = node.get(k);
        if (!v.isNumber()) {
            throw new ConfigException(key(k) + " must be a number, got '" + v.asText() + "'");
        }
        return v.asDouble();
    }

    Duration duration(String k, Duration def) {
        if (!has(k)) {
            return def;
        }
        String s = node.get(k).asText().trim();
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through to the message below
        }
        throw new ConfigException(key(k) + " must be a duration like 30s or 500ms, got '" + s + "'");
    }

    YamlNode child(String k) {
        return new YamlNode(node.get(k), key(k));
    }

    List<YamlNode> list(String k) {
        List<YamlNode> out = new ArrayList<>();
        if (!has(k)) {
            return out;
        }
        JsonNode v = node.get(k);
        if (!v.isArray()) {
            throw new ConfigException(key(k) + " must be a list");
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(new YamlNode(v.get(i), key(k) + "[" + i + "]"));
        }
        return out;
    }

    /** Runs a constructor whose validation names a bare key, and prefixes that key with this node's path. */
    <T> T build(java.util.function.Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (io.flock.core.InvalidInputException e) {
            String m = e.getMessage();
            if (path.isEmpty()) {
                throw new ConfigException(m);
            }
            throw new ConfigException(m.startsWith("invalid ") ? "invalid " + path + "." + m.substring(8) : path + ": " + m);
        }
    }
}
