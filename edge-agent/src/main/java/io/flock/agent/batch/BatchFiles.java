package io.flock.agent.batch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Complete batch tables on the device's disk ({@code state-dir/batch/SET.batch}), so a restarted agent answers from
 * them at once. A file is written beside its final name and moved into place, so a crash leaves the old table or the
 * new one; a file that does not read is ignored (the next pull replaces it).
 */
final class BatchFiles {
    private static final Logger log = LoggerFactory.getLogger(BatchFiles.class);
    private static final int MAGIC = 0x464c4231; // "FLB1"
    private static final int MAX_CLASSES = 1 << 16;
    private final Path dir;

    BatchFiles(Path dir) {
        this.dir = dir;
    }

    void save(BatchTable t) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(t.set() + ".batch.tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeUTF(t.set());
            out.writeUTF(t.setSha256());
            out.writeUTF(t.model());
            out.writeLong(t.version());
            out.writeLong(t.deviceVersion());
            out.writeLong(t.totalRows());
            int classes = t.rows().isEmpty() ? 0 : t.rows().get(0).probabilities().length;
            out.writeInt(classes);
            for (BatchTable.Row r : t.rows()) {
                out.write(r.digest());
                out.writeInt(r.label());
                for (float p : r.probabilities()) {
                    out.writeFloat(p);
                }
            }
        }
        Files.move(tmp, file(t.set()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the complete table stored for the set, empty when there is none or it does not read */
    Optional<BatchTable> load(String set) {
        Path f = file(set);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            if (in.readInt() != MAGIC || !in.readUTF().equals(set)) {
                throw new IOException("not a batch table of set " + set);
            }
            BatchTable t = new BatchTable(set, in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readLong());
            int classes = in.readInt();
            if (t.totalRows() < 0 || t.totalRows() > Files.size(f) || classes < 0 || classes > MAX_CLASSES) {
                throw new IOException("bad header");
            }
            for (long i = 0; i < t.totalRows(); i++) {
                byte[] digest = in.readNBytes(32);
                int label = in.readInt();
                float[] p = new float[classes];
                for (int k = 0; k < classes; k++) {
                    p[k] = in.readFloat();
                }
                if (digest.length != 32) {
                    throw new IOException("truncated");
                }
                t.add(new BatchTable.Row(digest, label, p));
            }
            return Optional.of(t.complete());
        } catch (IOException | RuntimeException e) {
            log.warn("batch set={} file {} ignored: {}", set, f, e.toString());
            return Optional.empty();
        }
    }

    private Path file(String set) {
        return dir.resolve(set + ".batch");
    }
}
