package org.safehub.wiring;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.safehub.audit.AuditLog;
import org.safehub.audit.CheckpointSigner;
import org.safehub.config.DeployConfigException;
import org.safehub.crypto.HubSigningKey;
import org.safehub.trail.AuditTrail;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.AtRestSealer;
import org.safehub.crypto.CopySealer;
import org.safehub.crypto.CryptoException;
import org.safehub.crypto.HubKeys;
import org.safehub.crypto.RecipientKeyType;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.sealing.SealingCopyWriter;
import org.safehub.agencies.SuspensionGate;
import org.safehub.config.SafehubConfig;
import org.safehub.policy.CategoryMap;
import org.safehub.policy.RedactionStage;
import org.safehub.policy.SafetyGuard;
import org.safehub.policy.SharingPolicy;
import org.safehub.consent.ConsentGate;
import org.safehub.consent.ConsentNotices;
import org.safehub.consent.ConsentRegistry;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.delivery.InboxReader;
import org.safehub.ingress.GroupCommit;
import org.safehub.ingress.PublishService;
import org.safehub.ingress.ReceiptStore;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.copy.CopyStage;
import org.safehub.pipeline.Pipeline;
import org.safehub.routing.Router;
import org.safehub.routing.RoutingPolicy;
import org.safehub.validation.SchemaCatalogue;
import org.safehub.validation.StrictJson;

/**
 * Builds the hub's components from configuration and starts the pipeline. Loading the schemas and the
 * deploy/ files happens here at start-up, so an invalid file stops the hub before it serves anything.
 */
@ApplicationScoped
public class HubComponents {

  private static final Logger LOG = Logger.getLogger(HubComponents.class);

  @Inject SafehubConfig config;

  @Inject
  @Identifier("default-kafka-broker")
  Map<String, Object> kafkaConfig;

  @Inject DataSource dataSource;

  @Inject io.micrometer.core.instrument.MeterRegistry metrics;

  private Pipeline pipeline;
  private Thread pipelineThread;
  private KafkaProducer<String, byte[]> ingressProducer;
  private GroupCommit groupCommit;
  private InboxReader inboxReader;
  private KafkaProducer<String, byte[]> auditProducer;

  @Produces
  @Singleton
  StrictJson strictJson() {
    SafehubConfig.Ingress i = config.ingress();
    return new StrictJson(i.maxNestingDepth(), i.maxStringLength(), i.maxNumberLength(), i.maxBodyBytes());
  }

  @Produces
  @Singleton
  SchemaCatalogue schemaCatalogue(StrictJson json) {
    return SchemaCatalogue.load(config.schemasDir(), json.mapper());
  }

  @Produces
  @Singleton
  AgencyDirectory agencyDirectory() {
    return AgencyDirectory.load(config.configDir());
  }

  @Produces
  @Singleton
  Router router(AgencyDirectory agencies, SchemaCatalogue schemas) {
    return new Router(agencies, RoutingPolicy.load(config.configDir(), agencies, schemas.types()));
  }

  @Produces
  @Singleton
  Topics topics() {
    return new Topics(config.kafka().topicPrefix());
  }

  @Produces
  @Singleton
  KafkaClients kafkaClients() {
    return new KafkaClients(kafkaConfig);
  }

  @Produces
  @Singleton
  ConsentRegistry consentRegistry() {
    return new ConsentRegistry(dataSource);
  }

  @Produces
  @Singleton
  ReceiptStore receiptStore(ConsentRegistry consent, AuditTrail trail) {
    return new ReceiptStore(dataSource, consent, trail);
  }

  @Produces
  @Singleton
  DeliveryStatusStore deliveryStatusStore() {
    return new DeliveryStatusStore(dataSource);
  }

  @Produces
  @Singleton
  HubKeys hubKeys() {
    Path keystore = config.keys().hubKeystore().orElse(config.dataDir().resolve("keys").resolve("hub.p12"));
    try {
      HubKeys keys = HubKeys.loadOrCreate(keystore, config.keys().hubKeystorePassword().toCharArray());
      Path certFile = keystore.resolveSibling("hub.cert.pem");
      Files.writeString(certFile, keys.signingCertificatePem());
      LOG.infof("hub keys %s %s; hub certificate for agencies and openssl: %s", keys.created() ? "created in" : "loaded from", keystore, certFile);
      return keys;
    } catch (CryptoException | java.io.IOException e) {
      throw new IllegalStateException("cannot load the hub's keys from " + keystore + ": " + e.getMessage());
    }
  }

  @Produces
  @Singleton
  AtRestSealer atRestSealer(HubKeys keys) {
    return new AtRestSealer(keys.keyEncryptionKey(), new AtRestSealer.DekPolicy(config.keys().atRestDekMaxRecords(), config.keys().atRestDekMaxAge()));
  }

  @Produces
  @Singleton
  AuditLog auditLog(HubKeys keys) {
    HubSigningKey signing = keys.signingKey();
    CheckpointSigner signer =
        new CheckpointSigner() {
          @Override
          public java.security.PublicKey publicKey() {
            return signing.certificate().getPublicKey();
          }

          @Override
          public byte[] sign(byte[] data) throws Exception {
            return signing.sign(data);
          }
        };
    try {
      Path pub = keys.location().resolveSibling("audit-public-key.pem");
      Files.writeString(pub, keys.verificationKeyPem());
      LOG.infof("audit log checkpoints are verified with %s", pub);
    } catch (java.io.IOException e) {
      LOG.warnf("could not write the audit public key next to the key store (%s)", e.getClass().getSimpleName());
    }
    return new AuditLog(dataSource, signer, new org.safehub.crypto.SealedJustifications(keys.auditKey()), new AuditLog.Settings(config.audit().checkpointEveryEvents(), config.audit().checkpointInterval()));
  }

  @Produces
  @Singleton
  AuditTrail auditTrail(AuditLog log, KafkaClients kafka, Topics topics) {
    auditProducer = kafka.durableProducer("safehub-audit-" + config.instanceId(), config.ingress().produceTimeoutMs());
    return new AuditTrail(log, auditProducer, topics);
  }

  @Produces
  @Singleton
  org.safehub.delivery.FetchRecorder fetchRecorder(
      AuditTrail trail, Topics topics, AgencyKeyDirectory keys, HubKeys hubKeys, StrictJson json, AgencyStatusStore agencyStatus) {
    return new org.safehub.delivery.FetchRecorder(dataSource, trail, auditProducer, topics, keys, copySealer(hubKeys), json.mapper(), agencyStatus);
  }

  /** Signs a checkpoint when one is due (every N events or T seconds, whichever comes first). */
  @io.quarkus.scheduler.Scheduled(every = "${safehub.audit.checkpoint-interval:PT10S}", concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
  void checkpoint() {
    try {
      auditLogs.get().maybeCheckpoint();
    } catch (RuntimeException e) {
      LOG.warnf("audit checkpoint not signed this time (%s)", e.getClass().getSimpleName());
    }
  }

  @Produces
  @Singleton
  AgencyKeyDirectory agencyKeyDirectory() {
    return new AgencyKeyDirectory(dataSource);
  }

  @Produces
  @Singleton
  AgencyStatusStore agencyStatusStore(AgencyDirectory agencies) {
    return new AgencyStatusStore(dataSource, agencies);
  }

  @Produces
  @Singleton
  PublishService publishService(
      StrictJson json, SchemaCatalogue schemas, Router router, ReceiptStore receipts, KafkaClients kafka, Topics topics, AtRestSealer atRest,
      AgencyStatusStore agencyStatus, AuditTrail trail, ConsentRegistry consent) {
    SafehubConfig.Ingress i = config.ingress();
    ingressProducer = kafka.durableProducer("safehub-ingress-" + config.instanceId(), i.produceTimeoutMs());
    groupCommit = new GroupCommit(dataSource, receipts, agencyStatus, trail, Math.max(5000, i.produceTimeoutMs()));
    return new PublishService(
        json,
        schemas,
        router,
        receipts,
        groupCommit,
        ingressProducer,
        topics,
        new PublishService.Limits(i.maxBodyBytes(), i.minJustificationLength(), i.produceTimeoutMs(), i.retryAfterSeconds()),
        atRest,
        consent);
  }

  @Produces
  @Singleton
  InboxReader inboxReader(KafkaClients kafka, Topics topics, StrictJson json) {
    inboxReader = new InboxReader(() -> kafka.consumer("safehub-inbox-" + config.instanceId(), null, 500), 4, topics, json.mapper());
    return inboxReader;
  }

  @Produces
  @Singleton
  SharingPolicy sharingPolicy(AgencyDirectory agencies) {
    if (!agencies.agencyTypes().contains(SafetyGuard.PERPETRATOR_PROGRAMME)) {
      throw new DeployConfigException(
          config.configDir().resolve(AgencyDirectory.FILE).toString(),
          "agency type '" + SafetyGuard.PERPETRATOR_PROGRAMME + "' is reserved by the victim-safety guard and must stay declared under that name");
    }
    return SharingPolicy.load(config.configDir(), agencies);
  }

  /** Pipeline stages between routing and delivery, in order: consent, then redaction and the guard (sealing is the writer). */
  List<CopyStage> stages(AgencyStatusStore agencyStatus, ConsentRegistry consent, SchemaCatalogue schemas, SharingPolicy policy) {
    List<CopyStage> stages = new ArrayList<>();
    stages.add(new SuspensionGate(agencyStatus));
    stages.add(new ConsentGate(consent));
    stages.add(
        new RedactionStage(
            schemas,
            CategoryMap.of(schemas.envelopeDocument()),
            policy,
            alert -> {
              // ids and category names only
              LOG.warnf("safety guard removed %s from message %s for %s", alert.categories(), alert.messageId(), alert.recipient());
              metrics.counter("safehub.guard.alerts").increment();
              guardAlerts(alert);
            }));
    return stages;
  }

  void onStart(@Observes StartupEvent ev, Router router, Topics topics, KafkaClients kafka, DeliveryStatusStore statuses, StrictJson json,
      PublishService publish, ConsentRegistry consent, SchemaCatalogue schemas, SharingPolicy sharingPolicy, HubKeys hubKeys,
      AtRestSealer atRest, AgencyKeyDirectory agencyKeys, AgencyStatusStore agencyStatus, AuditTrail trail) {
    if (config.keys().demoAgencyKeys()) {
      registerDemoAgencyKeys(router.agencies(), agencyKeys);
    }
    if (config.kafka().createTopics()) {
      createTopics(kafka, topics, router.agencies());
    }
    if (config.pipeline().enabled()) {
      SafehubConfig.Pipeline pc = config.pipeline();
      String txId = "safehub-pipeline-" + config.instanceId();
      pipeline =
          new Pipeline(
              () -> kafka.consumer("safehub-pipeline-" + config.instanceId(), config.kafka().topicPrefix() + "pipeline", pc.maxBatch()),
              () -> kafka.transactionalProducer(txId, pc.transactionTimeoutMs()),
              topics,
              router,
              stages(agencyStatus, consent, schemas, sharingPolicy),
              List.of(new ConsentNotices(consent, json.mapper())),
              new SealingCopyWriter(agencyKeys, copySealer(hubKeys), json.mapper()),
              statuses,
              json.mapper(),
              metrics,
              atRest,
              trail,
              consent,
              // a consent change's publisher has this long to be told its outcome: claim, write, confirm
              java.time.Duration.ofMillis(3L * Math.max(5000, config.ingress().produceTimeoutMs()) + 5000));
      pipelineThread = new Thread(pipeline, "safehub-pipeline");
      pipelineThread.setDaemon(true);
      pipelineThread.start();
    }
    LOG.infof("Safehub ready: %d agencies", router.agencies().all().size());
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (pipeline != null) {
      pipeline.stop();
      try {
        pipelineThread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (groupCommit != null) {
      groupCommit.close();
    }
    if (ingressProducer != null) {
      ingressProducer.close(java.time.Duration.ofSeconds(5));
    }
    if (inboxReader != null) {
      inboxReader.close();
    }
    if (auditProducer != null) {
      auditProducer.close(java.time.Duration.ofSeconds(5));
    }
  }

  @Inject jakarta.enterprise.inject.Instance<AuditTrail> trails;

  @Inject jakarta.enterprise.inject.Instance<AuditLog> auditLogs;

  /** Records a guard alert; throws if it cannot, so the redaction stage withholds the copy (never an unrecorded alert). */
  private void guardAlerts(org.safehub.policy.GuardAlert alert) {
    new org.safehub.policy.GuardAlertRecorder(trails.get(), java.time.Clock.systemUTC()).accept(alert);
  }

  private static CopySealer copySealer(HubKeys keys) {
    try {
      return new CopySealer(keys.signingKey());
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up sealing with the hub's signing key: " + e.getMessage());
    }
  }

  /**
   * Development only: a key pair per registered agency (RSA for some, EC P-256 for others, so both
   * recipient kinds are exercised), kept in data-dir/keys/agencies, and its certificate registered if
   * the agency has none.
   */
  private void registerDemoAgencyKeys(AgencyDirectory agencies, AgencyKeyDirectory directory) {
    Path dir = config.dataDir().resolve("keys").resolve("agencies");
    int i = 0;
    for (Agency a : agencies.all()) {
      RecipientKeyType type = (i++ % 2 == 0) ? RecipientKeyType.RSA : RecipientKeyType.EC_P256;
      try {
        AgencyCertificate cert = AgencyKeyGenerator.loadOrGenerate(a.id(), type, dir);
        if (directory.list(a.id()).isEmpty()) {
          directory.add(a.id(), cert.pem(), "demo-bootstrap");
        }
      } catch (CryptoException | java.sql.SQLException e) {
        throw new IllegalStateException("cannot create demo keys for " + a.id() + ": " + e.getMessage());
      }
    }
    LOG.infof("demo agency keys (development only) in %s", dir);
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** The publish path's group-commit thread, once the publish service exists; else null. */
  public GroupCommit groupCommit() {
    return groupCommit;
  }

  private void createTopics(KafkaClients kafka, Topics topics, AgencyDirectory agencies) {
    short rf = config.kafka().replicationFactor();
    List<NewTopic> wanted = new ArrayList<>();
    wanted.add(new NewTopic(topics.inbound(), config.kafka().inboundPartitions(), rf));
    wanted.add(new NewTopic(topics.deadLetter(), 1, rf));
    wanted.add(new NewTopic(topics.audit(), 1, rf));
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
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw new IllegalStateException("cannot create Kafka topics", e.getCause());
      }
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka to create topics", e);
    }
  }
}
