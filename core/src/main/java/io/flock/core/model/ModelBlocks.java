package io.flock.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/** Builds the DJL block for a {@link ModelSpec}. Inputs are always flat feature vectors. */
final class ModelBlocks {
    private ModelBlocks() {
    }

    static Block build(ModelSpec spec) {
        return spec.kind() == ModelSpec.Kind.MLP ? mlp(spec.layers()) : cnn(spec.layers());
    }

    private static Block mlp(List<Integer> layers) {
        SequentialBlock net = new SequentialBlock();
        for (int i = 1; i < layers.size(); i++) {
            net.add(Linear.builder().setUnits(layers.get(i)).build());
            if (i < layers.size() - 1) {
                net.add(Activation.reluBlock());
            }
        }
        return net;
    }

    private static Block cnn(List<Integer> layers) {
        int side = layers.get(0);
        SequentialBlock net = new SequentialBlock();
        net.add(new LambdaBlock(x -> new ai.djl.ndarray.NDList(x.singletonOrThrow().reshape(-1, 1, side, side)), "image"));
        for (int filters : layers.subList(1, 3)) {
            net.add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(filters).build());
            net.add(Activation.reluBlock());
            net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        net.add(Blocks.batchFlattenBlock());
        net.add(Linear.builder().setUnits(layers.get(3)).build());
        net.add(Activation.reluBlock());
        net.add(Linear.builder().setUnits(layers.get(4)).build());
        return net;
    }
}
