package io.flock.core.secagg;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** Runs one in-memory round: n clients and a server, with participants leaving before a chosen stage. */
final class RoundDriver {
    final SecAggParams params;
    final SecAggServer server;
    final Map<Integer, SecAggClient> clients = new TreeMap<>();
    final int[][] inputs;
    final Map<Integer, int[]> maskedVectors = new TreeMap<>();
    final Set<Integer> noAdvertise = new HashSet<>();
    final Set<Integer> noShare = new HashSet<>();
    final Set<Integer> noMask = new HashSet<>();
    final Set<Integer> noReveal = new HashSet<>();
    Map<Integer, List<KeyAdvertisement>> advertised;
    Map<Integer, List<EncryptedShare>> shared;
    Map<Integer, UnmaskRequest> requests;

    RoundDriver(SecAggParams params, int[][] inputs) {
        this.params = params;
        this.server = new SecAggServer(params);
        this.inputs = inputs;
        for (int i = 0; i < params.participants(); i++) {
            clients.put(i, new SecAggClient(params, i, seeded(1000 + i)));
        }
    }

    static SecAggParams params(String round, int n, int k, int t, int length) {
        return new SecAggParams(round.getBytes(StandardCharsets.UTF_8), n, k, t, length);
    }

    /** Inputs i*100 + c, with a large value in column 0 so sums wrap. */
    static int[][] smallInputs(int n, int length) {
        int[][] in = new int[n][length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < length; c++) {
                in[i][c] = c == 0 ? Integer.MAX_VALUE - i : i * 100 + c;
            }
        }
        return in;
    }

    static int[][] randomInputs(int n, int length, long seed) {
        Random r = new Random(seed);
        int[][] in = new int[n][length];
        for (int[] row : in) {
            for (int c = 0; c < length; c++) {
                row[c] = r.nextInt();
            }
        }
        return in;
    }

    static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void advertise() {
        for (SecAggClient c : clients.values()) {
            KeyAdvertisement a = c.advertise();
            if (!noAdvertise.contains(c.index())) {
                server.advertise(a);
            }
        }
        advertised = server.closeAdvertise();
    }

    void share() {
        advertised.forEach((i, ads) -> {
            List<EncryptedShare> out = clients.get(i).share(ads);
            if (!noShare.contains(i)) {
                server.share(i, out);
            }
        });
        shared = server.closeShare();
    }

    void mask() {
        shared.forEach((i, received) -> {
            if (!noMask.contains(i)) {
                int[] v = clients.get(i).mask(received, inputs[i]);
                maskedVectors.put(i, v);
                server.masked(i, v);
            }
        });
        requests = server.closeMask();
    }

    int[] unmask() {
        requests.forEach((i, q) -> {
            Reveal r = clients.get(i).unmask(q.survivors(), q.dropped());
            if (!noReveal.contains(i)) {
                server.reveal(r);
            }
        });
        return server.closeUnmask();
    }

    int[] run() {
        advertise();
        share();
        mask();
        return unmask();
    }

    /** @return the plain sum of the inputs of {@code who}, mod 2^32 */
    int[] sumOf(Set<Integer> who) {
        int[] sum = new int[params.length()];
        for (int i : who) {
            for (int c = 0; c < sum.length; c++) {
                sum[c] += inputs[i][c];
            }
        }
        return sum;
    }

    List<Integer> all() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < params.participants(); i++) {
            out.add(i);
        }
        return out;
    }
}
