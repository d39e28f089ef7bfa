package org.safehub.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Safehub's own settings, one group per area; every property has a default. */
@ConfigMapping(prefix = "safehub")
public interface SafehubConfig {

  /** Folder with the operator's configuration files: agencies, routing and the sharing policy. */
  @WithDefault("deploy/config")
  Path configDir();

  /** Folder with the JSON Schemas: envelope/v1.schema.json and one folder per message type. */
  @WithDefault("schemas")
  Path schemasDir();

  /**
   * Folder for the hub's own state on local disk (development keys); set by the one-command start.
   */
  @WithDefault(".safehub-data")
  Path dataDir();

  /**
   * Stable name of this hub instance; names its transactional producer, so a restart fences its
   * predecessor.
   */
  @WithDefault("hub-1")
  String instanceId();

  /**
   * Set by the dev stack's start command only: a hub without it refuses the demo secrets (see
   * DemoSecrets).
   */
  @WithDefault("false")
  boolean devStack();

  Ingress ingress();

  Keys keys();

  Audit audit();

  Kafka kafka();

  Pipeline pipeline();

  /** Accepting messages over HTTP. */
  interface Ingress {
    /** Largest accepted request body, in bytes (larger is 413). */
    @WithDefault("262144")
    int maxBodyBytes();

    /** Longest string value accepted anywhere in a message. */
    @WithDefault("65536")
    int maxStringLength();

    /** Most digits accepted in one number. */
    @WithDefault("40")
    int maxNumberLength();

    /** Deepest nesting of objects and arrays accepted. */
    @WithDefault("64")
    int maxNestingDepth();

    /**
     * Most JSON tokens (values, names and brackets) in one request body: a message (each message of
     * a batch on its own) or a case request. The largest message the schemas allow holds well under
     * a thousand; the cap bounds the parse of a body made of tiny values.
     */
    @WithDefault("4096")
    int maxTokens();

    /** Shortest written justification accepted for sharing on a basis other than consent. */
    @WithDefault("20")
    int minJustificationLength();

    /**
     * Seconds a publisher is asked to wait (Retry-After) when Kafka or the database is unavailable.
     */
    @WithDefault("5")
    int retryAfterSeconds();

    /** How long a publish waits for Kafka to confirm a write before answering 503. */
    @WithDefault("10000")
    int produceTimeoutMs();

    /** Largest batch publish body, in bytes (larger is 413 before any message is looked at). */
    @WithDefault("4194304")
    int maxBatchBytes();

    /** Most messages in one batch publish (more is 413). */
    @WithDefault("500")
    int maxBatchMessages();
  }

  /** Topic names and how the hub creates them. */
  interface Kafka {
    /** Prefix of every topic the hub owns. */
    @WithDefault("safehub.")
    String topicPrefix();

    /** Partitions of the inbound topic: the most hub instances that can share the pipeline. */
    @WithDefault("6")
    int inboundPartitions();

    /** Replication factor for topics the hub creates (3 in production). */
    @WithDefault("1")
    short replicationFactor();

    /** Create missing topics at start-up (turn off where an operator manages topics and ACLs). */
    @WithDefault("true")
    boolean createTopics();

    /**
     * Reconcile the agencies' Kafka ACLs (the broker must run an authorizer): at start-up, on every
     * suspension and reinstatement, and every {@code safehub.kafka.acl-reconcile-every}. Turn off
     * only where an operator keeps the same ACLs by other means.
     */
    @WithDefault("true")
    boolean manageAcls();

    /**
     * The hub's own Kafka principal name (the broker's super user, {@code User:<name>}); no agency
     * may have this id.
     */
    @WithDefault("hub")
    String hubPrincipal();
  }

  /** The hub's keys and the development key bootstrap. */
  interface Keys {
    /**
     * PKCS#12 key store with the hub's signing key and at-rest key-encryption key; created on first
     * start if missing. Default: data-dir/keys/hub.p12.
     */
    java.util.Optional<Path> hubKeystore();

    /**
     * Where the hub writes its public files (hub.cert.pem, audit-public-key.pem) at start-up.
     * Default: beside the key store, which may then be mounted read-only only if this is set.
     */
    java.util.Optional<Path> publicDir();

    /**
     * Password of the hub key store. The default is for development only; production sets its own.
     */
    @WithDefault("safehub-dev-only")
    String hubKeystorePassword();

    /**
     * Generate demo key pairs for the registered agencies (into data-dir/keys/agencies) and
     * register their certificates. Development only.
     */
    @WithDefault("false")
    boolean demoAgencyKeys();

    /** Records sealed under one at-rest data key before it is rotated. */
    @WithDefault("100000")
    long atRestDekMaxRecords();

    /** Longest life of one at-rest data key. */
    @WithDefault("PT1H")
    java.time.Duration atRestDekMaxAge();
  }

  /** The tamper-evident audit log. */
  interface Audit {
    /** Sign a checkpoint at least every this many events... */
    @WithDefault("1000")
    int checkpointEveryEvents();

    /** ...or at least this often while events arrive. */
    @WithDefault("PT10S")
    java.time.Duration checkpointInterval();
  }

  /** The consume-route-deliver loop. */
  interface Pipeline {
    /** Run the pipeline in this instance. */
    @WithDefault("true")
    boolean enabled();

    /** Most inbound records handled in one Kafka transaction. */
    @WithDefault("500")
    int maxBatch();

    /**
     * Kafka transaction timeout: bounds how long a crashed instance's open transaction can hold
     * readers back.
     */
    @WithDefault("15000")
    int transactionTimeoutMs();
  }
}
