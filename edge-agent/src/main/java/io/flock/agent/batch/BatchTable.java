package io.flock.agent.batch;

import io.flock.core.data.InputDigest;
import io.flock.core.model.Prediction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One input set's precomputed predictions as a device holds them: rows in the coordinator's order (a pull appends them
 * as chunks arrive) and, once complete, a map from input digest to answer. Not thread-safe while a pull fills it;
 * {@link #complete()} gives the immutable table lookups use.
 */
final class BatchTable {
    /** One precomputed answer: the digest of its raw input, the label and the probabilities. */
    record Row(byte[] digest, int label, float[] probabilities) {
    }

    private final String set;
    private final String setSha256;
    private final String model;
    private final long version;
    private final long totalRows;
    private volatile long deviceVersion;
    private final List<Row> rows;
    private Map<String, Prediction> index;

    BatchTable(String set, String setSha256, String model, long version, long deviceVersion, long totalRows) {
        this(set, setSha256, model, version, deviceVersion, totalRows, new ArrayList<>());
    }

    private BatchTable(String set, String setSha256, String model, long version, long deviceVersion, long totalRows, List<Row> rows) {
        this.set = set;
        this.setSha256 = setSha256;
        this.model = model;
        this.version = version;
        this.deviceVersion = deviceVersion;
        this.totalRows = totalRows;
        this.rows = rows;
    }

    /** @return whether these are the rows of the same computation: same set file, model version and size */
    boolean sameResult(String sha, String m, long v, long total) {
        return setSha256.equals(sha) && model.equals(m) && version == v && totalRows == total;
    }

    /** Appends a row (a pull's). */
    void add(Row row) {
        rows.add(row);
    }

    /** A re-stamp: the same rows now stand for another device version. */
    void deviceVersion(long v) {
        deviceVersion = v;
    }

    /** @return the table with its lookup index, once every row is there */
    BatchTable complete() {
        if (rows.size() != totalRows) {
            throw new IllegalStateException(set + " has " + rows.size() + " of " + totalRows + " rows");
        }
        BatchTable t = new BatchTable(set, setSha256, model, version, deviceVersion, totalRows, Collections.unmodifiableList(rows));
        Map<String, Prediction> byDigest = new HashMap<>(rows.size() * 2);
        for (Row r : rows) {
            byDigest.putIfAbsent(HexFormat.of().formatHex(r.digest()), new Prediction(r.label(), r.probabilities(), model, version));
        }
        t.index = byDigest;
        return t;
    }

    /** @return the answer for a raw input, null when the set does not have it (or the table is not complete) */
    Prediction find(float[] raw) {
        return index == null ? null : index.get(HexFormat.of().formatHex(InputDigest.of(raw)));
    }

    /** @return the answer for a digest, null when the set does not have it */
    Prediction find(byte[] digest) {
        return index == null ? null : index.get(HexFormat.of().formatHex(digest));
    }

    String set() {
        return set;
    }

    String setSha256() {
        return setSha256;
    }

    String model() {
        return model;
    }

    long version() {
        return version;
    }

    long deviceVersion() {
        return deviceVersion;
    }

    long totalRows() {
        return totalRows;
    }

    /** @return rows received so far */
    long received() {
        return rows.size();
    }

    List<Row> rows() {
        return rows;
    }
}
