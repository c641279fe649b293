package io.flock.coordinator.async;

import io.flock.coordinator.round.RoundClosedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The versions an asynchronous engine has published, in order, so that an update's staleness is the number of versions
 * published after its base. A base the engine never produced (nor started from) has no staleness: such an update is
 * refused. Thread-safe.
 */
public final class VersionLineage {
    private final Map<Long, Integer> position = new HashMap<>();
    private final List<Long> versions = new ArrayList<>();

    /** @param start the version the engine starts from */
    public VersionLineage(long start) {
        produced(start);
    }

    /** Records a newly published version; it becomes the current one. */
    public synchronized void produced(long version) {
        if (position.containsKey(version)) {
            throw new IllegalArgumentException("version " + version + " was already produced");
        }
        position.put(version, versions.size());
        versions.add(version);
    }

    /** @return whether the engine produced (or started from) the version */
    public synchronized boolean knows(long version) {
        return position.containsKey(version);
    }

    /** @return the newest version */
    public synchronized long current() {
        return versions.get(versions.size() - 1);
    }

    /**
     * @param base an update's base version
     * @return versions published after it
     * @throws RoundClosedException (reason unknown_base) when the engine never produced {@code base}
     */
    public synchronized long staleness(long base) {
        Integer at = position.get(base);
        if (at == null) {
            throw new RoundClosedException("unknown_base", "update trained from version " + base + ", which this engine never produced"
                    + " (its versions run " + versions.get(0) + ".." + current() + ")");
        }
        return versions.size() - 1 - at;
    }
}
