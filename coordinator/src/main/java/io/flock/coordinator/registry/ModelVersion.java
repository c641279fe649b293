package io.flock.coordinator.registry;

import io.flock.core.artifact.ArtifactManifest;
import java.util.List;

/**
 * One stored version of a model with its stage and its signed artifact variants.
 *
 * @param model          model name
 * @param version        number the database gave it, from 1
 * @param spec           network spec string
 * @param pipeline       feature pipeline string
 * @param stage          where it stands
 * @param paramsSha256   address of the exact fp32 global parameters behind the (possibly lossy) variants
 * @param createdMs      creation time, Unix ms
 * @param accuracy       held-out accuracy, NaN when not evaluated
 * @param loss           held-out loss, NaN when not evaluated
 * @param round          the round that produced it, 0 when none
 * @param variants       its artifacts, the pushed one first
 * @param optimizerState the server optimizer's state after producing it; empty for a stateless optimizer
 */
public record ModelVersion(String model, long version, String spec, String pipeline, Stage stage, String paramsSha256,
                           long createdMs, double accuracy, double loss, long round, List<ArtifactVariant> variants,
                           byte[] optimizerState) {
    /** Copies the variant list. */
    public ModelVersion {
        variants = List.copyOf(variants);
        if (variants.isEmpty() || !variants.get(0).pushed()) {
            throw new IllegalArgumentException("version " + model + "/" + version + " needs its pushed variant first");
        }
    }

    /** @return the pushed variant: what devices download and verify */
    public ArtifactVariant pushed() {
        return variants.get(0);
    }

    /** @return the pushed variant's manifest */
    public ArtifactManifest manifest() {
        return pushed().manifest();
    }

    /** @return the pushed variant's signature */
    public byte[] signature() {
        return pushed().signature();
    }

    /** @return this version with held-out scores */
    public ModelVersion withScores(double acc, double lossValue) {
        return new ModelVersion(model, version, spec, pipeline, stage, paramsSha256, createdMs, acc, lossValue, round, variants,
                optimizerState);
    }

    /** @return this version in another stage */
    public ModelVersion withStage(Stage s) {
        return new ModelVersion(model, version, spec, pipeline, s, paramsSha256, createdMs, accuracy, loss, round, variants,
                optimizerState);
    }
}
