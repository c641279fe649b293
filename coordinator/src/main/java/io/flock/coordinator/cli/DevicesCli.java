package io.flock.coordinator.cli;

import io.flock.coordinator.security.CertificateAuthority;
import io.flock.core.artifact.KeyFiles;
import io.flock.core.config.ConfigException;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.Pem;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.CreateEnrollmentTokenRequest;
import io.flock.proto.v1.EnrollmentToken;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.flock.proto.v1.RevokeDeviceResponse;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bin/flock devices enroll-token|revoke}: device identity as an operator handles it, over the coordinator's
 * Admin gRPC service. Errors from the coordinator print as one line and exit 2.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "Make enrollment tokens; revoke devices.",
        subcommands = {DevicesCli.TokenCommand.class, DevicesCli.RevokeCommand.class, DevicesCli.BrokerCertCommand.class})
public final class DevicesCli {
    @Mixin
    AdminChannel admin = new AdminChannel();

    PrintStream out = System.out;

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit code */
    public static int run(String... args) {
        return Launcher.execute(new DevicesCli(), args);
    }

    <T> T call(Function<AdminGrpc.AdminBlockingStub, T> rpc) throws InterruptedException {
        return admin.call(rpc);
    }

    @Command(name = "enroll-token", mixinStandardHelpOptions = true,
            description = "A token devices enroll with (agent key enrollment-token); printed once, the coordinator keeps its hash only.")
    static final class TokenCommand implements Callable<Integer> {
        @ParentCommand
        DevicesCli parent;

        @Option(names = "--uses", description = "devices it may enroll (default: 1)")
        int uses = 1;

        @Option(names = "--ttl-seconds", description = "how long it is good for (default: 86400, at most 30 days)")
        long ttlSeconds = 86_400;

        @Override
        public Integer call() throws Exception {
            EnrollmentToken t = parent.call(s -> s.createEnrollmentToken(CreateEnrollmentTokenRequest.newBuilder().setUses(uses)
                    .setTtlSeconds(ttlSeconds).build()));
            parent.out.println(t.getToken());
            System.err.printf("flock: enrolls %d device(s) until %s; give it to the devices, not to logs%n", t.getUses(),
                    Instant.ofEpochMilli(t.getExpiresUnixMs()));
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a device: its calls are refused at once and its sessions on the embedded broker closed.")
    static final class RevokeCommand implements Callable<Integer> {
        @ParentCommand
        DevicesCli parent;

        @Parameters(index = "0", description = "device id")
        String device;

        @Override
        public Integer call() throws Exception {
            RevokeDeviceResponse r = parent.call(s -> s.revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(device).build()));
            parent.out.printf("revoked %s (%d certificate(s))%n", device, r.getCertificatesRevoked());
            return 0;
        }
    }

    @Command(name = "broker-cert", mixinStandardHelpOptions = true,
            description = "On the coordinator's host: a key and server certificate from its CA for an external broker (Mosquitto,"
                    + " EMQX), and the CA certificate, as PEM files (deploy/mosquitto/mosquitto.conf reads them).")
    static final class BrokerCertCommand implements Callable<Integer> {
        @ParentCommand
        DevicesCli parent;

        @Option(names = "--hosts", description = "names and addresses devices reach the broker by, comma-separated (localhost and"
                + " 127.0.0.1 are always named)")
        String hosts = "";

        @Option(names = "--days", description = "validity in days (default: 365)")
        int days = 365;

        @Option(names = "--out", required = true, description = "directory for ca.pem, broker.pem and broker-key.pem (owner-only)")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path caDir = parent.admin.keys.resolve("ca");
            if (!Files.isRegularFile(caDir.resolve("ca-key.pk8"))) {
                throw new ConfigException("--keys " + parent.admin.keys + " holds no CA (ca/ca-key.pk8): run this on the coordinator's host"
                        + " with --keys pointing at its data-dir/keys, after it started once in mtls mode");
            }
            if (days < 1 || days > 3650) {
                throw new ConfigException("--days must be 1..3650, got " + days);
            }
            CertificateAuthority ca = CertificateAuthority.loadOrCreate(caDir, Duration.ofDays(1));
            DeviceKeys key = DeviceKeys.generate();
            List<String> names = Arrays.stream(hosts.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
            X509Certificate cert = ca.brokerCertificate(key.publicKey(), names, Duration.ofDays(days));
            KeyFiles.createDirectory(out);
            KeyFiles.writePrivate(out.resolve("broker-key.pem"), Pem.of(key.privateKey()));
            Files.writeString(out.resolve("broker.pem"), Pem.of(cert));
            Files.writeString(out.resolve("ca.pem"), Pem.of(ca.certificate()));
            parent.out.printf("wrote %s: ca.pem, broker.pem (valid until %s, names %s), broker-key.pem (owner-only: give it to the"
                    + " broker's user)%n", out, cert.getNotAfter().toInstant(), names.isEmpty() ? "localhost" : names);
            return 0;
        }
    }
}
