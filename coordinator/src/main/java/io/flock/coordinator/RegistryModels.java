package io.flock.coordinator;

import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.config.ConfigException;
import io.flock.core.model.ModelSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other registry models a coordinator's configuration names, checked at start: a distillation teacher and a
 * cloud model that answers offloads. Each must have a production version in this coordinator's registry and fit
 * the trained model's inputs and classes.
 */
final class RegistryModels {
    private static final Logger log = LoggerFactory.getLogger(RegistryModels.class);

    private RegistryModels() {
    }

    /** @return the model that answers offloaded predictions: serving.model, or the trained one */
    static String served(CoordinatorConfig config) {
        return config.serving().model().isEmpty() ? config.model().name() : config.serving().model();
    }

    /** @throws ConfigException naming serving.model when another model is to be served and the registry cannot give it */
    static void requireServed(CoordinatorConfig config, ModelRegistry registry) {
        String served = served(config);
        if (!served.equals(config.model().name())) {
            ModelVersion v = requireFitting(config, registry, "serving.model", served, "to serve " + config.model().name());
            log.info("offloaded predictions for model={} are answered by model={} version={} ({})", config.model().name(), served,
                    v.version(), v.spec());
        }
    }

    /** @throws ConfigException naming distill.teacher when the plan has a teacher the registry cannot give */
    static void requireTeacher(CoordinatorConfig config, ModelRegistry registry) {
        var teacher = config.strategy().plan().teacher();
        if (teacher != null) {
            ModelVersion t = requireFitting(config, registry, "distill.teacher", teacher.model(), "to train without a teacher");
            log.info("model={} learns from teacher model={} version={} ({}) at T={} alpha={}", config.model().name(), teacher.model(),
                    t.version(), t.spec(), teacher.distillation().temperature(), teacher.distillation().alpha());
        }
    }

    /**
     * @return the production version of {@code name}
     * @throws ConfigException naming {@code key} when the registry has none, or its inputs or classes are not the trained model's
     */
    private static ModelVersion requireFitting(CoordinatorConfig config, ModelRegistry registry, String key, String name, String unset) {
        ModelVersion v = registry.current(name).orElseThrow(() -> new ConfigException(key + "=" + name + ": the registry has no production"
                + " version of that model; train it first against this coordinator's database (model.name=" + name + "), or set " + key
                + " to \"\" " + unset));
        ModelSpec spec = ModelSpec.parse(v.spec());
        ModelSpec own = config.model().spec();
        if (spec.inputSize() != own.inputSize() || spec.classes() != own.classes()) {
            throw new ConfigException(key + "=" + name + ": its spec " + spec + " does not fit " + own + " (inputs and classes must match)");
        }
        return v;
    }
}
