package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes a stateful server optimizer stores with each version, format 1: magic {@code FLKS}, a format byte,
 * the optimizer's kind (so another optimizer can tell the state is not its own), the number of moment sets, and
 * each set as a length-prefixed lossless {@link Codecs#FP32} frame. Restoring gives back the exact floats.
 */
final class OptimizerState {
    private static final Logger log = LoggerFactory.getLogger(OptimizerState.class);
    private static final int MAGIC = 0x464C4B53; // "FLKS"
    private static final int FORMAT = 1;
    private static final int MAX_SETS = 8;

    private OptimizerState() {
    }

    static byte[] write(String kind, List<ModelParameters> moments) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(FORMAT);
            out.writeUTF(kind);
            out.writeByte(moments.size());
            for (ModelParameters m : moments) {
                byte[] frame = Codecs.FP32.encode(m);
                out.writeInt(frame.length);
                out.write(frame);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param kind the reader's kind
     * @param sets how many moment sets that kind writes
     * @return the moment sets; empty when {@code state} is empty or was written by another kind of optimizer (a
     *         strategy change: the reader starts fresh)
     * @throws InvalidInputException for bytes that are not optimizer state, or state of this kind that is malformed
     */
    static Optional<List<ModelParameters>> read(String kind, int sets, byte[] state) {
        if (state.length == 0) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (state.length < 5 || in.readInt() != MAGIC) {
                throw new InvalidInputException("not server optimizer state (" + state.length + " bytes, bad magic)");
            }
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new InvalidInputException("server optimizer state format " + format + ", this coordinator reads " + FORMAT);
            }
            String writer = in.readUTF();
            if (!writer.equals(kind)) {
                log.info("server optimizer {} starts fresh: the base version's state was written by {}", kind, writer);
                return Optional.empty();
            }
            int n = in.readUnsignedByte();
            if (n != sets || n > MAX_SETS) {
                throw new InvalidInputException(kind + " state holds " + n + " moment sets, expected " + sets);
            }
            List<ModelParameters> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw new InvalidInputException(kind + " state: moment set " + i + " claims " + length + " bytes, "
                            + in.available() + " left");
                }
                out.add(Codecs.FP32.decode(in.readNBytes(length)));
            }
            if (in.available() > 0) {
                throw new InvalidInputException(kind + " state: " + in.available() + " trailing bytes");
            }
            return Optional.of(out);
        } catch (IOException e) {
            throw new InvalidInputException("truncated server optimizer state (" + state.length + " bytes)");
        }
    }

    /** @return the kind that wrote non-empty state; for a stateless optimizer that must still reject garbage */
    static String kindOf(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (state.length < 5 || in.readInt() != MAGIC || in.readUnsignedByte() != FORMAT) {
                throw new InvalidInputException("not server optimizer state (" + state.length + " bytes)");
            }
            return in.readUTF();
        } catch (IOException e) {
            throw new InvalidInputException("truncated server optimizer state (" + state.length + " bytes)");
        }
    }
}
