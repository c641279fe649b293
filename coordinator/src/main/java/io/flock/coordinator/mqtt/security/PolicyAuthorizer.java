package io.flock.coordinator.mqtt.security;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.AsyncOutput;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.flock.core.InvalidInputException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link TopicPolicy} to one client's publishes (its will included) and subscriptions. A refused publish is
 * answered, at QoS 1 and 2, with PUBACK/PUBREC NOT_AUTHORIZED and a reason string, after which HiveMQ sends DISCONNECT
 * NOT_AUTHORIZED and closes the connection (at QoS 0 it only disconnects): the message reaches no subscriber and no
 * retained message changes. A refused subscription gets SUBACK reason code NOT_AUTHORIZED and the client stays
 * connected. A device's decisions, which may ask the directory, run on the extension executor; the coordinator's are
 * string checks made in place. HiveMQ keeps one instance per connection.
 */
final class PolicyAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
    private static final Logger log = LoggerFactory.getLogger(PolicyAuthorizer.class);
    private final Identity who;
    private final String clientId;
    private final TopicPolicy policy;
    private final Executor executor;

    private PolicyAuthorizer(Identity who, String clientId, TopicPolicy policy, Executor executor) {
        this.who = who;
        this.clientId = clientId;
        this.policy = policy;
        this.executor = executor;
    }

    /** @return the authorizer of a connection, by its certificate; one with none (never admitted) is refused everything */
    static PolicyAuthorizer of(ConnectionInformation connection, String clientId, TopicPolicy policy, Executor executor) {
        Identity who;
        try {
            who = CertificateAuthenticator.certificate(connection).map(Identity::of).orElse(null);
        } catch (InvalidInputException e) {
            who = null;
        }
        return new PolicyAuthorizer(who, clientId, policy, executor);
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        String topic = input.getPublishPacket().getTopic();
        decide(output, () -> policy.mayPublish(who, topic), allowed -> {
            if (allowed) {
                output.authorizeSuccessfully();
            } else {
                log.info("mqtt publish refused client={} identity={} topic={}", clientId, who, topic);
                output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, who + " may not publish to " + topic);
            }
        });
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        String filter = input.getSubscription().getTopicFilter();
        decide(output, () -> policy.maySubscribe(who, filter), allowed -> {
            if (allowed) {
                output.authorizeSuccessfully();
            } else {
                log.info("mqtt subscribe refused client={} identity={} filter={}", clientId, who, filter);
                output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, who + " may not subscribe to " + filter);
            }
        });
    }

    private void decide(AsyncOutput<?> output, BooleanSupplier check, Consumer<Boolean> apply) {
        if (who == null) {
            apply.accept(false);
        } else if (!(who instanceof Identity.Device)) {
            apply.accept(check.getAsBoolean());
        } else {
            Async<?> async = output.async(CertificateAuthenticator.TIMEOUT, TimeoutFallback.FAILURE);
            try {
                executor.execute(() -> {
                    try {
                        apply.accept(allowed(check));
                    } finally {
                        async.resume();
                    }
                });
            } catch (RejectedExecutionException e) {
                apply.accept(false);
                async.resume();
            }
        }
    }

    private boolean allowed(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            log.warn("mqtt authorization client={} identity={} device directory failed, refusing: {}", clientId, who, e.toString());
            return false;
        }
    }
}
