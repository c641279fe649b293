package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Every delta of a round, for the rules that need them all at once. Each delta is flattened to P floats in model
 * order and kept on the heap while the buffer holds at most {@code budgetBytes}; later ones go to a temporary file
 * (unlinked at once where the OS allows, so nothing is left behind even by a crash). Memory O(min(K·P, budget)),
 * disk O(K·P) past it. On the heap a delta is held in chunks of 128 KiB: one array per delta would be a "humongous"
 * object to G1 at the default region sizes, and waste up to a third of each region. Reads go in blocks of
 * coordinates, so the rules work in O(K·B) extra memory. Not thread-safe.
 */
final class UpdateBuffer implements AutoCloseable {
    /** Floats one block of all updates may hold: 4 MiB. */
    private static final int BLOCK_FLOATS = 1 << 20;
    /** Floats per heap chunk: 128 KiB, below half of G1's smallest region. */
    private static final int CHUNK = 1 << 15;
    private final ModelParameters layout;
    private final int size;
    private final long budgetBytes;
    private final List<float[][]> heap = new ArrayList<>();
    private final List<String> devices = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
    private final List<Integer> contributors = new ArrayList<>();
    private FileChannel spill;
    private int spilled;
    private ByteBuffer io;

    UpdateBuffer(ModelParameters layout, long budgetBytes) {
        if (budgetBytes < 0) {
            throw new InvalidInputException("buffer budget must be >= 0 bytes, got " + budgetBytes);
        }
        this.layout = layout;
        this.size = Math.toIntExact(layout.totalSize());
        this.budgetBytes = budgetBytes;
    }

    /** @throws InvalidInputException for a wrong layout (values and weight are checked by {@link ClientUpdate}); nothing is added */
    void add(ClientUpdate u) {
        layout.requireSameLayout(u.delta());
        float[][] chunks = new float[(size + CHUNK - 1) / CHUNK][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = new float[Math.min(CHUNK, size - c * CHUNK)];
        }
        int at = 0;
        for (Tensor t : u.delta().tensors()) {
            for (int i = 0; i < t.size(); ) {
                int n = Math.min(t.size() - i, CHUNK - at % CHUNK);
                System.arraycopy(t.data(), i, chunks[at / CHUNK], at % CHUNK, n);
                i += n;
                at += n;
            }
        }
        if (spill == null && (heap.size() + 1L) * size * Float.BYTES <= budgetBytes) {
            heap.add(chunks);
        } else {
            write(chunks);
        }
        devices.add(u.deviceId());
        weights.add(u.weight());
        contributors.add(u.contributors());
    }

    int count() {
        return devices.size();
    }

    /** @return floats per update, P */
    int size() {
        return size;
    }

    /** @return updates kept in the temporary file */
    int spilled() {
        return spilled;
    }

    String device(int k) {
        return devices.get(k);
    }

    double weight(int k) {
        return weights.get(k);
    }

    int contributors(int k) {
        return contributors.get(k);
    }

    /** @return coordinates per block when every update's block is held at once */
    int blockSize() {
        return Math.max(1, Math.min(size, BLOCK_FLOATS / Math.max(1, count())));
    }

    /** Copies coordinates [from, from + len) of update k into out[offset...]. */
    void read(int k, int from, float[] out, int offset, int len) {
        if (k < heap.size()) {
            float[][] chunks = heap.get(k);
            for (int done = 0; done < len; ) {
                int at = from + done;
                int n = Math.min(len - done, CHUNK - at % CHUNK);
                System.arraycopy(chunks[at / CHUNK], at % CHUNK, out, offset + done, n);
                done += n;
            }
            return;
        }
        long position = ((long) (k - heap.size()) * size + from) * Float.BYTES;
        ByteBuffer buf = io(len);
        try {
            while (buf.hasRemaining()) {
                if (spill.read(buf, position + buf.position()) < 0) {
                    throw new IOException("spill file ended early");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read buffered update " + k, e);
        }
        buf.flip();
        buf.asFloatBuffer().get(out, offset, len);
    }

    /** @return the flat values as parameters of the layout */
    ModelParameters toParameters(float[] flat) {
        List<Tensor> out = new ArrayList<>(layout.tensors().size());
        int at = 0;
        for (Tensor t : layout.tensors()) {
            float[] part = new float[t.size()];
            System.arraycopy(flat, at, part, 0, part.length);
            at += part.length;
            out.add(new Tensor(t.name(), t.shape(), part));
        }
        return new ModelParameters(out);
    }

    private void write(float[][] chunks) {
        try {
            if (spill == null) {
                Path file = Files.createTempFile("flock-round-updates-", ".f32");
                spill = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            }
            long position = (long) spilled * size * Float.BYTES;
            for (float[] chunk : chunks) {
                ByteBuffer buf = io(chunk.length);
                buf.asFloatBuffer().put(chunk);
                long start = position;
                while (buf.hasRemaining()) {
                    spill.write(buf, start + buf.position());
                }
                position += (long) chunk.length * Float.BYTES;
            }
            spilled++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill a round's update to a temporary file", e);
        }
    }

    private ByteBuffer io(int floats) {
        if (io == null || io.capacity() < floats * Float.BYTES) {
            io = ByteBuffer.allocateDirect(Math.max(floats, 1 << 14) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        }
        io.clear().limit(floats * Float.BYTES);
        return io;
    }

    /** Drops the held updates and deletes the temporary file; idempotent. */
    @Override
    public void close() {
        heap.clear();
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                spill = null;
            }
        }
    }
}
