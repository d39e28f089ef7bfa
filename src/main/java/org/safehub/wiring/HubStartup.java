package org.safehub.wiring;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.KafkaAcls;
import org.safehub.config.SafehubConfig;
import org.safehub.crypto.HubKeys;
import org.safehub.ingress.PublishService;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.keys.DemoAgencyKeys;
import org.safehub.pipeline.Pipeline;
import org.safehub.trail.AuditTrail;

/**
 * Starts the hub, in order. Injecting the publish service, the audit trail and the pipeline builds
 * every component, so the schemas, the deploy/ files and the keys are loaded and checked before the
 * hub serves anything (an invalid file stops it); then the hub's public keys are written next to
 * its key store, the demo agency keys registered (development only), the topics created, and the
 * pipeline started. On shutdown the pipeline stops first; the other resources close with their
 * beans.
 */
@Singleton
class HubStartup {

  private static final Logger LOG = Logger.getLogger(HubStartup.class);

  private final SafehubConfig config;
  private final HubKeys keys;
  private final AgencyDirectory agencies;
  private final AgencyKeyDirectory agencyKeys;
  private final KafkaClients kafka;
  private final Topics topics;
  private final Pipeline pipeline;
  private final KafkaAcls acls;

  @Inject
  HubStartup(
      SafehubConfig config,
      HubKeys keys,
      AgencyDirectory agencies,
      AgencyKeyDirectory agencyKeys,
      KafkaClients kafka,
      Topics topics,
      // injected only to build them (and check their files) before the hub serves anything
      @SuppressWarnings("UnusedVariable") PublishService publish,
      @SuppressWarnings("UnusedVariable") AuditTrail trail,
      Pipeline pipeline,
      KafkaAcls acls) {
    this.config = config;
    this.keys = keys;
    this.agencies = agencies;
    this.agencyKeys = agencyKeys;
    this.kafka = kafka;
    this.topics = topics;
    this.pipeline = pipeline;
    this.acls = acls;
  }

  void onStart(@Observes StartupEvent ev) {
    writePublicKeys();
    if (config.keys().demoAgencyKeys()) {
      DemoAgencyKeys.register(
          agencies, agencyKeys, config.dataDir().resolve("keys").resolve("agencies"));
    }
    if (config.kafka().createTopics()) {
      createTopics();
    }
    // fail closed: a hub that cannot set the agencies' Kafka ACLs does not start
    acls.reconcile("safehub-hub");
    if (config.pipeline().enabled()) {
      pipeline.start();
    }
    LOG.infof("Safehub ready: %d agencies", agencies.all().size());
  }

  void onStop(@Observes ShutdownEvent ev) {
    pipeline.stopAndWait();
  }

  /**
   * The hub's certificate (for agencies and openssl) and the audit checkpoints' verification key,
   * next to the key store.
   */
  private void writePublicKeys() {
    // not into a read-only key mount: safehub.keys.public-dir says where (Kubernetes: an emptyDir)
    Path dir = config.keys().publicDir().orElse(keys.location().toAbsolutePath().getParent());
    Path certFile = dir.resolve("hub.cert.pem");
    try {
      Files.createDirectories(dir);
      Files.writeString(certFile, keys.signingCertificatePem());
      LOG.infof(
          "hub keys %s %s; hub certificate for agencies and openssl: %s",
          keys.created() ? "created in" : "loaded from", keys.location(), certFile);
    } catch (IOException e) {
      // the certificate is also served at GET /api/v1/keys/hub
      LOG.warnf(
          "hub keys %s %s; the hub certificate could not be written to %s (%s)",
          keys.created() ? "created in" : "loaded from",
          keys.location(),
          dir,
          e.getClass().getSimpleName());
    }
    try {
      Path pub = dir.resolve("audit-public-key.pem");
      Files.writeString(pub, keys.verificationKeyPem());
      LOG.infof("audit log checkpoints are verified with %s", pub);
    } catch (IOException e) {
      LOG.warnf(
          "could not write the audit public key next to the key store (%s)",
          e.getClass().getSimpleName());
    }
  }

  private void createTopics() {
    short rf = config.kafka().replicationFactor();
    List<NewTopic> wanted = new ArrayList<>();
    wanted.add(new NewTopic(topics.inbound(), config.kafka().inboundPartitions(), rf));
    wanted.add(new NewTopic(topics.deadLetter(), 1, rf));
    wanted.add(new NewTopic(topics.audit(), 1, rf));
    // the escalation relay's position (hub-only): one partition, the latest marker kept
    wanted.add(
        new NewTopic(topics.escalationRelay(), 1, rf)
            .configs(
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    for (Agency a : agencies.all()) {
      // one partition per agency: its offsets are the inbox cursor
      wanted.add(new NewTopic(topics.delivery(a.id()), 1, rf));
    }
    try (Admin admin = Admin.create(kafka.adminConfig())) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        LOG.infof("created %d topics", missing.size());
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create Kafka topics", e.getCause());
      }
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka to create topics", e);
    }
  }
}
