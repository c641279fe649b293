/**
 * Who may use the MQTT broker, and for what: authentication by TLS client certificate and a per-device topic ACL.
 *
 * <h2>Admission</h2>
 * A client is admitted only over TLS with a client certificate that chains to the Flock CA (the TLS handshake checks
 * the chain and the validity period), names an {@link io.flock.coordinator.mqtt.security.Identity} (the coordinator,
 * or one device: {@link io.flock.core.identity.DeviceCertificates}), and, for a device, is the one the
 * {@link io.flock.coordinator.mqtt.security.DeviceDirectory} says is its current certificate (enrolled, not revoked).
 * The client id is bound to the identity: {@code flock-agent-<id>} or {@code flock-gateway-<id>} for device
 * {@code <id>}, {@code flock-coordinator-<suffix>} for the coordinator, so no client can take over another's session.
 * Anything else gets CONNACK NOT_AUTHORIZED with a reason string (or, for a missing, foreign or expired certificate,
 * a failed handshake).
 *
 * <h2>Topics</h2>
 * {@link io.flock.coordinator.mqtt.security.TopicPolicy}, default deny:
 * <table>
 *   <caption>What each identity may do</caption>
 *   <tr><th>identity</th><th>subscribe</th><th>publish</th></tr>
 *   <tr><td>coordinator</td><td>anything under {@code flock/v1/}, wildcards included</td>
 *       <td>anything under {@code flock/v1/}</td></tr>
 *   <tr><td>device X</td><td>{@code flock/v1/devices/X/tasks}, {@code flock/v1/models/M/announcement},
 *       {@code flock/v1/models/M/chunks} (one model name, no wildcard)</td>
 *       <td>{@code flock/v1/devices/X/status} (its last will too), {@code flock/v1/gateways/X/status}</td></tr>
 *   <tr><td>device X as a gateway, for each device D behind it</td><td>{@code flock/v1/devices/D/tasks}</td>
 *       <td>{@code flock/v1/devices/D/status}</td></tr>
 * </table>
 * Everything else is refused: {@code #}, wildcards in a device's filters, other devices' topics, {@code $SYS} and
 * shared subscriptions. On the embedded broker a refused subscription gets SUBACK NOT_AUTHORIZED; a refused publish
 * gets PUBACK NOT_AUTHORIZED and then DISCONNECT NOT_AUTHORIZED, and reaches no subscriber nor any retained message; a
 * refused last will refuses the connection. Payloads are the coordinator's to check.
 *
 * <h2>Revocation</h2>
 * The directory refuses a revoked device's next connection; {@code EmbeddedBroker.evict} ends its live sessions at
 * once. External brokers (deploy/mosquitto, deploy/emqx: the same policy as ACL files, gateways listed by hand) learn
 * of a revocation only through short-lived certificates and a CRL.
 *
 * <h2>Parts</h2>
 * {@code TopicPolicy}, {@code Identity} and {@code DeviceDirectory} are free of broker types.
 * {@link io.flock.coordinator.mqtt.security.AccessExtension} is the embedded HiveMQ extension that applies them
 * ({@code CertificateAuthenticator}, {@code PolicyAuthorizer}); {@link io.flock.coordinator.mqtt.security.BrokerSecurity}
 * is what {@code EmbeddedBroker} takes to run secured.
 */
package io.flock.coordinator.mqtt.security;
