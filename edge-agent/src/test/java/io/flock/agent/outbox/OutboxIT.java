package io.flock.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.DeviceConditions;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.link.WireTap;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox against a stand-in coordinator on loopback that answers uploads with chosen statuses: it keeps and
 * retries an update after every transient answer (INTERNAL from a coordinator shutting down, UNAVAILABLE from a
 * full intake) and drops it only on a definitive refusal.
 */
class OutboxIT {
    @TempDir
    Path dir;
    private Server server;
    private CoordinatorClient client;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final Deque<Status> answers = new ConcurrentLinkedDeque<>();
    private final AtomicInteger attempts = new AtomicInteger();

    private Outbox start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new CoordinatorGrpc.CoordinatorImplBase() {
            @Override
            public StreamObserver<UpdateChunk> uploadUpdate(StreamObserver<UploadReceipt> out) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(UpdateChunk c) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        attempts.incrementAndGet();
                        Status s = answers.poll();
                        if (s == null || s.isOk()) {
                            out.onNext(UploadReceipt.newBuilder().setOutcome(UploadReceipt.Outcome.ACCEPTED).build());
                            out.onCompleted();
                        } else {
                            out.onError(s.asRuntimeException());
                        }
                    }
                };
            }
        }).build().start();
        client = new CoordinatorClient("127.0.0.1:" + server.getPort(), "d1", WireTap.NONE, () -> true);
        return new Outbox(dir.resolve("outbox"), client, executor, "d1", DeviceConditions.REAL);
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    private static PendingUpload upload(String key) {
        return new PendingUpload(UpdateHeader.newBuilder().setDeviceId("d1").setTaskId("r1-d1").setRound(1).setIdempotencyKey(key)
                .setNumExamples(10).build(), new byte[] {1, 2, 3});
    }

    @Test
    void transientAnswers_keepTheUpdateAndRetryIt_untilItIsDelivered() throws Exception {
        Outbox outbox = start();
        answers.add(Status.INTERNAL.withDescription("internal error"));
        answers.add(Status.UNAVAILABLE.withDescription("intake full, retry later"));

        outbox.submit(upload("k1"));

        await().atMost(Duration.ofSeconds(20)).until(() -> outbox.uploaded() == 1);
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(outbox.pending()).isZero();
    }

    @Test
    void aDefinitiveRefusal_dropsTheUpdateAtOnce() throws Exception {
        Outbox outbox = start();
        answers.add(Status.FAILED_PRECONDITION.withDescription("round 1 is closed"));

        outbox.submit(upload("k2"));

        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.pending() == 0);
        Thread.sleep(1000);
        assertThat(attempts.get()).as("no retry after a definitive answer").isEqualTo(1);
        assertThat(outbox.uploaded()).isZero();
    }

    @Test
    void anUploadWhileStopping_staysOnDisk_andTheNextStartDeliversIt() throws Exception {
        Outbox stopping = start();
        executor.shutdown(); // the agent stops between training and upload

        stopping.submit(upload("k3")); // no RejectedExecutionException: the update waits in the outbox
        assertThat(stopping.pending()).isEqualTo(1);
        assertThat(attempts.get()).isZero();

        ScheduledExecutorService next = Executors.newSingleThreadScheduledExecutor();
        try {
            Outbox restarted = new Outbox(dir.resolve("outbox"), client, next, "d1", DeviceConditions.REAL);
            restarted.resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> restarted.uploaded() == 1);
            assertThat(restarted.pending()).isZero();
        } finally {
            next.shutdownNow();
        }
    }
}
