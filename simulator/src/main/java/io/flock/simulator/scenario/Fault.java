package io.flock.simulator.scenario;

import io.flock.core.config.ConfigException;

/**
 * A fault injected at a round.
 *
 * @param round    round number (from 1) during which it happens
 * @param kind     what happens
 * @param fraction share of devices affected (DROP_DEVICES, NETWORK_PARTITION), 0..1
 */
public record Fault(int round, Kind kind, double fraction) {
    /** Fault kinds, written in YAML as broker-restart, coordinator-restart, drop-devices, network-partition. */
    public enum Kind {
        /** The broker stops before the round and comes back empty (in-memory state lost). */
        BROKER_RESTART,
        /** The coordinator process dies mid-round and restarts on the same database. */
        COORDINATOR_RESTART,
        /** A fraction of devices leaves mid-round for good. */
        DROP_DEVICES,
        /** A fraction of devices cannot reach the coordinator for the round; heals after it. */
        NETWORK_PARTITION;

        /** @return the kind for its YAML name */
        public static Kind parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase().replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("unknown fault kind '" + text
                        + "', known: broker-restart, coordinator-restart, drop-devices, network-partition");
            }
        }

        /** @return the YAML name */
        public String yamlName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** Validates the round and fraction. */
    public Fault {
        ConfigException.require(round >= 1, "round", round);
        ConfigException.require(fraction >= 0 && fraction <= 1, "fraction", fraction);
    }
}
