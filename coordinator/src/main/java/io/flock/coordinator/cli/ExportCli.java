package io.flock.coordinator.cli;

import io.flock.core.InvalidInputException;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Digests;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.onnx.OnnxExporter;
import io.flock.core.tensor.ModelParameters;
import io.flock.link.wire.ArtifactMessages;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.FetchVariantRequest;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.VariantPart;
import io.grpc.ManagedChannel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/flock export}: fetches one signed artifact variant of a version from a coordinator (Admin.FetchVariant),
 * checks its digest (and its signature, given the coordinator's public key), decodes it as an agent would, and
 * writes it as ONNX ({@link OnnxExporter}). A model, version or variant the coordinator does not have, an artifact
 * that fails its checks, or a form ONNX export cannot express is one line on stderr, exit 2, and no file.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model version's artifact variant as an ONNX file (raw features in, class probabilities out).")
public final class ExportCli implements Callable<Integer> {
    /** Largest artifact this command accepts. */
    static final long MAX_ARTIFACT_BYTES = 1L << 30;

    @Mixin
    AdminChannel admin = new AdminChannel();

    @Option(names = "--model", required = true, description = "model name")
    String model;

    @Option(names = "--version", description = "version (default: 0 = production)")
    long version;

    @Option(names = "--variant", description = "variant, as bin/flock models versions lists it, e.g. int8 or prune:0.9+int4"
            + " (default: the pushed one)")
    String variant = "";

    @Option(names = "--out", required = true, description = "ONNX file to write")
    Path out;

    @Option(names = "--public-key", description = "the coordinator's signing-key.pub: verify the artifact's signature too")
    Path publicKey;

    PrintStream stdout = System.out;

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit code */
    public static int run(String... args) {
        return Launcher.execute(new ExportCli(), args);
    }

    /** @param err where an error line goes; @return the exit code */
    public static int run(PrintWriter err, String... args) {
        return Launcher.execute(new ExportCli(), err, args);
    }

    @Override
    public Integer call() throws Exception {
        ArtifactVerifier verifier = publicKey == null ? null : ArtifactVerifier.fromFile(publicKey);
        ManagedChannel channel = admin.open();
        ModelAnnouncement manifest;
        byte[] bytes;
        try {
            Iterator<VariantPart> parts = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                    .fetchVariant(FetchVariantRequest.newBuilder().setModel(model).setVersion(version).setVariant(variant).build());
            VariantPart first = parts.hasNext() ? parts.next() : VariantPart.getDefaultInstance();
            if (!first.hasManifest()) {
                throw new InvalidInputException("the coordinator sent no manifest before the artifact");
            }
            manifest = first.getManifest();
            if (manifest.getSizeBytes() < 0 || manifest.getSizeBytes() > MAX_ARTIFACT_BYTES) {
                throw new InvalidInputException("the artifact claims " + manifest.getSizeBytes() + " bytes; at most " + MAX_ARTIFACT_BYTES);
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream(); // grows as chunks arrive, never past the manifest's size
            while (parts.hasNext()) {
                var chunk = parts.next().getChunk();
                if (buf.size() + (long) chunk.getData().size() > manifest.getSizeBytes()) {
                    throw new InvalidInputException("the artifact is longer than its manifest's " + manifest.getSizeBytes() + " bytes");
                }
                chunk.getData().writeTo(buf);
            }
            bytes = buf.toByteArray();
        } finally {
            AdminChannel.close(channel);
        }
        ModelParameters parameters = checkAndDecode(manifest, bytes, verifier);
        ModelSpec spec = ModelSpec.parse(manifest.getSpec());
        long written = OnnxExporter.write(spec, FeaturePipeline.parse(manifest.getFeaturePipeline()), parameters,
                manifest.getModel() + "-v" + manifest.getVersion() + "-" + manifest.getCodec().getName(), out);
        stdout.printf("exported %s v%d variant %s (%s, %,d parameters, artifact %,d bytes%s) to %s: %,d bytes; input %s [batch, %d]"
                        + " raw features, output %s [batch, %d]%n", manifest.getModel(), manifest.getVersion(), manifest.getCodec().getName(),
                spec, parameters.totalSize(), bytes.length, verifier == null ? ", digest checked" : ", digest and signature checked",
                out, written, OnnxExporter.INPUT, spec.inputSize(), OnnxExporter.OUTPUT, spec.classes());
        return 0;
    }

    /**
     * @throws InvalidInputException     when the bytes do not match the manifest's size and digest (no key given)
     * @throws io.flock.core.artifact.ArtifactRejectedException when the digest, size or signature is wrong (key given), or
     *                                   the bytes do not decode
     */
    private static ModelParameters checkAndDecode(ModelAnnouncement a, byte[] bytes, ArtifactVerifier verifier) {
        if (verifier != null) {
            verifier.verify(ArtifactMessages.manifest(a), a.getSignature().toByteArray(), bytes);
        } else if (bytes.length != a.getSizeBytes() || !Digests.sha256Hex(bytes).equals(a.getSha256())) {
            throw new InvalidInputException("the artifact of " + a.getModel() + " v" + a.getVersion() + " does not match its manifest"
                    + " (" + bytes.length + " of " + a.getSizeBytes() + " bytes, or another digest)");
        }
        return ArtifactMessages.decode(a, bytes);
    }
}
