package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.training.UpdateTamper;
import io.flock.core.data.ByteDataset;
import io.flock.simulator.scenario.Attack;
import org.junit.jupiter.api.Test;

class AttacksTest {
    @Test
    void tamper_eachKind_theMatchingUpdateOrData() {
        assertThat(Attacks.tamper(Attack.NONE, 10, 0, 0)).isSameAs(UpdateTamper.NONE);
        assertThat(Attacks.tamper(new Attack(Attack.Kind.GAUSSIAN, 1.5, 0, Attack.LabelMapping.REVERSE), 10, 0, 1))
                .isInstanceOf(GaussianUpdate.class);
        UpdateTamper flip = Attacks.tamper(new Attack(Attack.Kind.SIGN_FLIP, 0, 3, Attack.LabelMapping.REVERSE), 10, 0, 1);
        assertThat(flip.update(ScaledUpdateTest.delta(), 1).tensors().get(1).data()).containsExactly(-0.75f, 3f);
        UpdateTamper scale = Attacks.tamper(new Attack(Attack.Kind.SCALE, 0, 10, Attack.LabelMapping.REVERSE), 10, 0, 1);
        assertThat(scale.update(ScaledUpdateTest.delta(), 1).tensors().get(1).data()).containsExactly(2.5f, -10f);
        ByteDataset data = new ByteDataset(new byte[3], new byte[] {0, 1, 2}, 1);
        UpdateTamper labels = Attacks.tamper(new Attack(Attack.Kind.LABEL_FLIP, 0, 0, Attack.LabelMapping.REVERSE), 3, 0, 1);
        assertThat(labels.trainingData(data).labels()).containsExactly(2, 1, 0);
        assertThat(labels.update(ScaledUpdateTest.delta(), 1).tensors().get(1).data()).as("a label flipper uploads what it trained")
                .containsExactly(0.25f, -1f);
        // every label-flipping device of a run uses the run seed's permutation, whatever its own seed
        UpdateTamper p1 = Attacks.tamper(new Attack(Attack.Kind.LABEL_FLIP, 0, 0, Attack.LabelMapping.PERMUTATION), 3, 9, 1);
        UpdateTamper p2 = Attacks.tamper(new Attack(Attack.Kind.LABEL_FLIP, 0, 0, Attack.LabelMapping.PERMUTATION), 3, 9, 2);
        assertThat(p1.trainingData(data).labels()).containsExactly(p2.trainingData(data).labels());
    }
}
