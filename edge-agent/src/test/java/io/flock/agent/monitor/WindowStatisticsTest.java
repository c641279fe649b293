package io.flock.agent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import io.flock.core.model.Prediction;
import io.flock.proto.v1.DataStatistics;
import io.flock.proto.v1.DriftBins;
import io.flock.proto.v1.ProjectionBins;
import org.junit.jupiter.api.Test;

class WindowStatisticsTest {
    private static DriftBins bins(double cut) {
        DriftBins.Builder b = DriftBins.newBuilder().setClasses(3).setReferenceVersion(4);
        for (String name : io.flock.core.stats.InputProjections.NAMES) {
            b.addProjections(ProjectionBins.newBuilder().setName(name).addCuts(cut));
        }
        return b.build();
    }

    private static Prediction answer(int label, float confidence) {
        float[] p = new float[3];
        p[label] = confidence;
        p[(label + 1) % 3] = 1 - confidence;
        return Prediction.of(p, "m", 4);
    }

    @Test
    void withoutBins_nothingIsCountedOrReported() {
        WindowStatistics s = new WindowStatistics(8);
        assertThat(s.observe(new float[] {0.1f, 0.2f}, answer(0, 0.9f))).isEmpty();
        assertThat(s.drain(1000)).isEmpty();
    }

    @Test
    void answersAreCountedInTheAnnouncedBins_andFeedbackCountsOncePerAnswer() {
        WindowStatistics s = new WindowStatistics(8);
        s.adopt(bins(0.5), 1000);
        String a = s.observe(new float[] {0.1f, 0.1f}, answer(0, 0.9f));
        String b = s.observe(new float[] {0.9f, 0.9f}, answer(2, 0.6f));
        assertThat(a).isNotEmpty().isNotEqualTo(b);
        assertThat(s.feedback(a, 0)).isTrue();
        assertThat(s.feedback(a, 0)).as("reported already").isFalse();
        assertThat(s.feedback(b, 1)).isTrue();
        assertThat(s.feedback("unknown", 1)).isFalse();
        assertThatThrownBy(() -> s.feedback(b, 3)).isInstanceOf(InvalidInputException.class).hasMessageContaining("[0, 3)");
        DataStatistics d = s.drain(2000).orElseThrow();
        assertThat(d.getSampleCount()).isEqualTo(2);
        assertThat(d.getReferenceVersion()).isEqualTo(4);
        assertThat(d.getWindowStartUnixMs()).isEqualTo(1000);
        assertThat(d.getProjections(0).getCountsList()).containsExactly(1L, 1L);
        assertThat(d.getPredictedLabelCountsList()).containsExactly(1L, 0L, 1L);
        assertThat(d.getConfidenceCountsList().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
        assertThat(d.getFeedbackCount()).isEqualTo(2);
        assertThat(d.getFeedbackErrors()).isEqualTo(1);
        assertThat(d.getMeanConfidence()).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-6));
        DataStatistics next = s.drain(3000).orElseThrow();
        assertThat(next.getSampleCount()).as("a new window").isZero();
        assertThat(next.getWindowStartUnixMs()).isEqualTo(2000);
    }

    @Test
    void newBinsStartANewWindow_andOnlyTheNewestAnswersAreRemembered() {
        WindowStatistics s = new WindowStatistics(2);
        s.adopt(bins(0.5), 1000);
        String first = s.observe(new float[] {0.1f}, answer(0, 0.9f));
        s.observe(new float[] {0.1f}, answer(0, 0.9f));
        s.observe(new float[] {0.1f}, answer(0, 0.9f));
        assertThat(s.feedback(first, 0)).as("forgotten: only the newest 2 are kept").isFalse();
        s.adopt(bins(0.5), 1500);
        assertThat(s.drain(1600).orElseThrow().getSampleCount()).as("the same bins keep the window").isEqualTo(3);
        s.observe(new float[] {0.1f}, answer(0, 0.9f));
        s.adopt(bins(0.25), 1700);
        assertThat(s.drain(1800).orElseThrow().getSampleCount()).as("other bins start over").isZero();
    }

    @Test
    void binsThatAreNoHistogram_areRefused() {
        WindowStatistics s = new WindowStatistics(2);
        DriftBins bad = bins(0.5).toBuilder().setProjections(0, ProjectionBins.newBuilder().setName("mean").addCuts(0.5).addCuts(0.2)).build();
        assertThatThrownBy(() -> s.adopt(bad, 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> s.adopt(bins(0.5).toBuilder().setClasses(1).build(), 0)).isInstanceOf(InvalidInputException.class);
        assertThat(s.drain(1)).isEmpty();
    }
}
