package io.flock.link.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.OffloadAdvice;

/**
 * Fuzzes {@link OffloadMessages#advice}: any announced advice maps to a core advice that maps back to the same message,
 * or is refused with {@link InvalidInputException}.
 */
class OffloadMessagesFuzzTest {
    private static final String[] SCORES = {"max-probability", "margin", "negative-entropy"};

    @FuzzTest(maxDuration = "3s")
    void advice_anyMessage_mapsBackOrRefuses(FuzzedDataProvider data) {
        OffloadAdvice m = OffloadAdvice.newBuilder().setScore(data.consumeBoolean() ? data.pickValue(SCORES) : data.consumeString(80))
                .setThreshold(data.consumeDouble()).setOffloadRate(data.consumeDouble()).setHybridAccuracy(data.consumeDouble())
                .setLocalAccuracy(data.consumeDouble()).setCloudAccuracy(data.consumeDouble()).setCloudModel(data.consumeString(16))
                .setCloudVersion(data.consumeLong()).build();
        try {
            assertThat(OffloadMessages.message(OffloadMessages.advice(m))).isEqualTo(m);
        } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
