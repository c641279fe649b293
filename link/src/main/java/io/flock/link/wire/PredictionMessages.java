package io.flock.link.wire;

import io.flock.core.model.Prediction;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;

/**
 * The one mapping between core {@link Prediction}s and the flock.v1 prediction messages, for every edge that
 * speaks them: the coordinator's serving, the agent's local API and its offload client, and apps.
 */
public final class PredictionMessages {
    private PredictionMessages() {
    }

    /** @return a request for raw features, as an app or an offloading agent sends it */
    public static PredictRequest request(String model, String deviceId, float[] raw) {
        PredictRequest.Builder b = PredictRequest.newBuilder().setModel(model).setDeviceId(deviceId);
        for (float f : raw) {
            b.addFeatures(f);
        }
        return b.build();
    }

    /** @return the raw features of a request */
    public static float[] features(PredictRequest request) {
        float[] raw = new float[request.getFeaturesCount()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = request.getFeatures(i);
        }
        return raw;
    }

    /** @return a response carrying the prediction, where it came from and how long it took (add a fallback reason) */
    public static PredictResponse.Builder response(Prediction p, PredictResponse.Source source, double latencyMs) {
        PredictResponse.Builder b = PredictResponse.newBuilder().setLabel(p.label()).setModel(p.model()).setVersion(p.version())
                .setSource(source).setLatencyMs(latencyMs);
        for (float f : p.probabilities()) {
            b.addProbabilities(f);
        }
        return b;
    }

    /** @return the prediction a response carries */
    public static Prediction prediction(PredictResponse r) {
        float[] p = new float[r.getProbabilitiesCount()];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.getProbabilities(i);
        }
        return new Prediction(r.getLabel(), p, r.getModel(), r.getVersion());
    }
}
