package io.flock.simulator.scenario;

import io.flock.core.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the devices of a profile misbehave (a scenario's {@code deviceProfiles[].attack}). The simulator applies it in
 * the real agent through its test-only {@code io.flock.agent.training.UpdateTamper}.
 *
 * @param kind    what the attacker does
 * @param sigma   GAUSSIAN: standard deviation of the noise that replaces the update, > 0
 * @param factor  SIGN_FLIP: the k in delta -> -k * delta; SCALE: the s in delta -> s * delta; > 0
 * @param mapping LABEL_FLIP: how labels change before training
 */
public record Attack(Kind kind, double sigma, double factor, LabelMapping mapping) {
    /** An honest device. */
    public static final Attack NONE = new Attack(Kind.NONE, 0, 0, LabelMapping.REVERSE);

    /** Attacks, written in YAML as none, gaussian, sign-flip, scale and label-flip. */
    public enum Kind {
        /** Honest. */
        NONE,
        /** The update is replaced by noise drawn from N(0, sigma^2), per parameter. */
        GAUSSIAN,
        /** The update is negated and scaled: delta -> -factor * delta. */
        SIGN_FLIP,
        /** The update is scaled (model replacement): delta -> factor * delta. */
        SCALE,
        /** The device trains on its own data with flipped labels (data poisoning); the update is left alone. */
        LABEL_FLIP;

        /** @return the kind for its YAML name */
        public static Kind parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase().replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("unknown attack kind '" + text + "', known: none, gaussian, sign-flip, scale, label-flip");
            }
        }

        /** @return the YAML name */
        public String yamlName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** How a label-flipping device relabels its data; C is the model's number of classes. */
    public enum LabelMapping {
        /** label -> C - 1 - label. */
        REVERSE,
        /**
         * label -> p(label), p a permutation of the classes with no fixed point, drawn from the run seed: every attacker
         * of a run uses the same one.
         */
        PERMUTATION;

        /** @return the mapping for its YAML name */
        public static LabelMapping parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("unknown label mapping '" + text + "', known: reverse, permutation");
            }
        }
    }

    /** Validates the setting the kind uses; the message names it. */
    public Attack {
        if (kind == Kind.GAUSSIAN) {
            ConfigException.require(sigma > 0 && Double.isFinite(sigma), "sigma", sigma);
        }
        if (kind == Kind.SIGN_FLIP || kind == Kind.SCALE) {
            ConfigException.require(factor > 0 && Double.isFinite(factor), "factor", factor);
        }
    }

    /** @return whether devices with this attack misbehave */
    public boolean malicious() {
        return kind != Kind.NONE;
    }

    /** @return the kind and the setting it uses, as the report and console show them */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.yamlName());
        switch (kind) {
            case GAUSSIAN -> m.put("sigma", sigma);
            case SIGN_FLIP, SCALE -> m.put("factor", factor);
            case LABEL_FLIP -> m.put("mapping", mapping.name().toLowerCase());
            default -> { }
        }
        return m;
    }
}
