package io.flock.coordinator.batch;

import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.data.CsvFormat;
import io.flock.core.data.IdxFormat;
import io.flock.core.data.RawRows;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The file formats of an input set, read by the core readers: CSV rows of raw feature values ({@link CsvFormat#readRows})
 * or an unsigned-byte IDX file ({@link IdxFormat#read}, e.g. Fashion-MNIST images: one row per image). A gzipped file is
 * recognised by its magic bytes and decompressed, never past the byte limit.
 */
public enum InputFormat {
    /** Rows of comma-separated raw feature values, no label; a non-numeric first line is a header. */
    CSV,
    /** An unsigned-byte IDX array; the first dimension counts rows, the others multiply to the features. */
    IDX;

    /**
     * @param name "csv" or "idx", any case
     * @throws InvalidInputException for another name
     */
    public static InputFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "csv" -> CSV;
            case "idx" -> IDX;
            default -> throw new InvalidInputException("format must be csv or idx, got '" + name + "'");
        };
    }

    /** @return the format's name on the wire and in the store */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param file     the file as registered (gzipped or not)
     * @param source   names it in error messages
     * @param maxRows  rows accepted at most
     * @param maxBytes bytes accepted at most, after decompression too
     * @return its rows
     * @throws InvalidInputException      when it does not parse, or has NaN/Inf values
     * @throws CapacityExceededException when it has more rows or bytes than allowed
     */
    public RawRows read(byte[] file, String source, int maxRows, long maxBytes) {
        try (InputStream in = open(file, maxBytes)) {
            if (this == CSV) {
                return CsvFormat.readRows(new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)), source, maxRows);
            }
            IdxFormat.IdxArray a = IdxFormat.read(in, source, maxBytes);
            int rows = a.dims()[0];
            if (rows > maxRows) {
                throw new CapacityExceededException(source + " has " + rows + " rows, over batch.max-rows=" + maxRows);
            }
            int features = 1;
            for (int i = 1; i < a.dims().length; i++) {
                features *= a.dims()[i];
            }
            float[] values = new float[a.data().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = a.data()[i] & 0xFF;
            }
            return new RawRows(values, rows, Math.max(features, 1));
        } catch (IOException e) {
            // the file is in memory: an I/O error is a malformed file (a truncated gzip stream, say)
            throw new InvalidInputException(source + " does not read as " + wireName() + ": " + e.getMessage());
        }
    }

    private static InputStream open(byte[] file, long maxBytes) throws IOException {
        InputStream in = new ByteArrayInputStream(file);
        if (file.length >= 2 && (file[0] & 0xFF) == 0x1f && (file[1] & 0xFF) == 0x8b) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new Bounded(in, maxBytes);
    }

    /** Fails once more than {@code max} bytes were read: a small gzipped file may decompress to far more. */
    private static final class Bounded extends FilterInputStream {
        private final long max;
        private long read;

        Bounded(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            count(Math.max(n, 0));
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > max) {
                throw new CapacityExceededException("the input set decompresses to more than batch.max-set-bytes=" + max + " bytes");
            }
        }
    }
}
