package io.flock.coordinator.round;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.codec.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Persisted updates back into an open round: after a restart, and from other replicas sharing the store. */
final class StoredUpdates {
    private static final Logger log = LoggerFactory.getLogger(StoredUpdates.class);

    private StoredUpdates() {
    }

    /** @return the stored update as the aggregator takes it (weight = its examples, one contributor, staleness 0) */
    static ClientUpdate toUpdate(StoredUpdate u) {
        return new ClientUpdate(u.deviceId(), u.baseVersion(), Codecs.byName(u.codec()).decode(u.payload()), u.numExamples(), 1, 0);
    }

    /**
     * Folds the round's stored updates whose devices it has not counted yet, each device once (the store keeps one update
     * per device and round). Cheap when there are none: one query of device ids, payloads read only when one is new.
     *
     * @return updates folded now
     */
    static int foldNew(FlockStore store, OpenRound round) {
        String model = round.record().model();
        long r = round.record().round();
        if (store.updatedDevices(model, r).stream().allMatch(round::hasAnswered)) {
            return 0;
        }
        int folded = 0;
        for (StoredUpdate u : store.updates(model, r)) {
            if (!round.hasAnswered(u.deviceId()) && round.foldStored(toUpdate(u))) {
                folded++;
            }
        }
        log.debug("round={} folded {} updates other replicas stored", r, folded);
        return folded;
    }
}
