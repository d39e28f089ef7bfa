package org.safehub.agencies;

import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.jboss.logging.Logger;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.config.SafehubConfig;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.trail.AuditTrail;

/**
 * The agencies' Kafka ACLs, kept by the hub: an active agency ({@code User:<id>}, the {@code
 * agency} claim of its token on the broker's OAUTHBEARER listener) may Read and Describe its own
 * delivery topic and the consumer groups whose names begin {@code <id>.}, and nothing else; a
 * suspended agency has no ACL at all. The broker denies whatever no ACL allows, so a missing ACL
 * fails closed.
 *
 * <p>Reconciled against agencies.yaml and the suspensions at start-up (an error stops the hub), at
 * once on a suspension or reinstatement, and periodically (to pick up the other instances' changes
 * and to retry). Every binding created or deleted is an audit event ({@code kafka-acl-changed}); a
 * grant is recorded before it is made, and not made if it cannot be recorded. Operators' ALLOW
 * bindings that give an agency principal (or every principal) anything else, or anyone but the hub
 * anything on the hub's topics, are deleted; DENY bindings are left alone.
 */
@Singleton
public final class KafkaAcls {

  private static final Logger LOG = Logger.getLogger(KafkaAcls.class);
  private static final long TIMEOUT_S = 15;
  private static final String EVERYONE = "User:*";
  private static final String HUB_ACTOR = "safehub-hub";

  private final AgencyDirectory agencies;
  private final AgencyStatusStore statuses;
  private final Topics topics;
  private final AuditTrail trail;
  private final KafkaClients kafka;
  private final boolean enabled;
  private final String hubPrincipal;
  private Admin admin;

  @Inject
  public KafkaAcls(
      AgencyDirectory agencies,
      AgencyStatusStore statuses,
      Topics topics,
      AuditTrail trail,
      KafkaClients kafka,
      SafehubConfig config) {
    this.agencies = agencies;
    this.statuses = statuses;
    this.topics = topics;
    this.trail = trail;
    this.kafka = kafka;
    this.enabled = config.kafka().manageAcls();
    this.hubPrincipal = config.kafka().hubPrincipal();
    for (Agency a : agencies.all()) {
      if (a.id().equals(hubPrincipal)) {
        throw new IllegalStateException(
            "agency id '"
                + a.id()
                + "' is the hub's Kafka principal (safehub.kafka.hub-principal): it would be a"
                + " super user of the broker; rename the agency or the hub's principal");
      }
    }
  }

  public boolean enabled() {
    return enabled;
  }

  /** The bindings an active agency has: its own delivery topic and its own consumer groups. */
  public List<AclBinding> wanted(String agencyId) {
    String principal = "User:" + agencyId;
    List<AclBinding> out = new ArrayList<>();
    ResourcePattern topic =
        new ResourcePattern(ResourceType.TOPIC, topics.delivery(agencyId), PatternType.LITERAL);
    ResourcePattern groups =
        new ResourcePattern(ResourceType.GROUP, agencyId + ".", PatternType.PREFIXED);
    for (ResourcePattern r : List.of(topic, groups)) {
      for (AclOperation op : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
        out.add(
            new AclBinding(r, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
      }
    }
    return out;
  }

  /**
   * Brings the broker's ACLs to what agencies.yaml and the suspensions say. Throws if the
   * suspensions or the broker's ACLs cannot be read or a change cannot be made or recorded.
   */
  public synchronized void reconcile(String actor) {
    if (!enabled) {
      return;
    }
    Set<String> suspended;
    try {
      suspended = statuses.suspended();
    } catch (SQLException e) {
      throw new IllegalStateException("agency suspensions unreadable: ACLs not reconciled", e);
    }
    Set<AclBinding> desired = new LinkedHashSet<>();
    for (Agency a : agencies.all()) {
      if (!suspended.contains(a.id())) {
        desired.addAll(wanted(a.id()));
      }
    }
    apply(desired, managed(current(AclBindingFilter.ANY)), actor);
  }

  /** Removes every ACL of {@code agencyId} now (a suspension). */
  public synchronized void revoke(String agencyId, String actor) {
    if (!enabled) {
      return;
    }
    Set<AclBinding> held = new HashSet<>();
    for (AclBinding b : managed(current(AclBindingFilter.ANY))) {
      if (b.entry().principal().equals("User:" + agencyId)) {
        held.add(b);
      }
    }
    delete(held, actor);
  }

  /** Periodic reconciliation: other instances' suspensions and reinstatements, and retries. */
  @Scheduled(
      every = "${safehub.kafka.acl-reconcile-every:30s}",
      delayed = "${safehub.kafka.acl-reconcile-every:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void periodically() {
    if (!enabled) {
      return;
    }
    try {
      reconcile(HUB_ACTOR);
    } catch (RuntimeException e) {
      LOG.errorf("agency Kafka ACLs not reconciled this time (%s)", e.getClass().getSimpleName());
    }
  }

  private void apply(Set<AclBinding> desired, Set<AclBinding> current, String actor) {
    Set<AclBinding> extra = new HashSet<>(current);
    extra.removeAll(desired);
    delete(extra, actor);
    List<AclBinding> missing = new ArrayList<>();
    for (AclBinding b : desired) {
      if (!current.contains(b)) {
        missing.add(b);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    // recorded first: a grant that cannot be audited is not made
    trail.record(events(missing, "granted", actor));
    await(admin().createAcls(missing).all(), "create");
  }

  private void delete(Collection<AclBinding> bindings, String actor) {
    if (bindings.isEmpty()) {
      return;
    }
    List<AclBinding> list = List.copyOf(bindings);
    List<AuditEvent> events = events(list, "revoked", actor);
    try {
      trail.record(events);
    } catch (RuntimeException e) {
      // a revocation is never held back for want of its record
      LOG.errorf("Kafka ACL revocations not recorded (%s)", e.getClass().getSimpleName());
    }
    List<AclBindingFilter> filters = list.stream().map(AclBinding::toFilter).toList();
    await(admin().deleteAcls(filters).all(), "delete");
  }

  /**
   * The bindings the hub owns: ALLOW bindings for an agency principal or every principal, and for
   * anyone but the hub on the hub's topics.
   */
  private Set<AclBinding> managed(Collection<AclBinding> all) {
    Set<String> principals = new HashSet<>();
    agencies.all().forEach(a -> principals.add("User:" + a.id()));
    principals.add(EVERYONE);
    Set<AclBinding> out = new HashSet<>();
    for (AclBinding b : all) {
      if (b.entry().permissionType() != AclPermissionType.ALLOW) {
        continue;
      }
      String principal = b.entry().principal();
      boolean ours =
          b.pattern().resourceType() == ResourceType.TOPIC
              && b.pattern().name().startsWith(topics.prefix())
              && !principal.equals("User:" + hubPrincipal);
      // a group grant of the hub's making, also for an agency no longer in agencies.yaml
      boolean groupGrant =
          b.pattern().resourceType() == ResourceType.GROUP
              && b.pattern().patternType() == PatternType.PREFIXED
              && principal.equals("User:" + b.pattern().name().replaceFirst("\\.$", ""))
              && b.pattern().name().endsWith(".");
      if (principals.contains(principal) || ours || groupGrant) {
        out.add(b);
      }
    }
    return out;
  }

  private Collection<AclBinding> current(AclBindingFilter filter) {
    return await(admin().describeAcls(filter).values(), "describe");
  }

  private List<AuditEvent> events(List<AclBinding> bindings, String change, String actor) {
    List<AuditEvent> out = new ArrayList<>();
    Instant now = Instant.now();
    for (AclBinding b : bindings) {
      String principal = b.entry().principal();
      out.add(
          AuditEvent.builder(AuditAction.KAFKA_ACL_CHANGED, now)
              .actor(null, actor)
              .recipient(principal.startsWith("User:") ? principal.substring(5) : principal)
              .reason(change)
              .detail("operation", b.entry().operation().name())
              .detail("resourceType", b.pattern().resourceType().name())
              .detail("resource", b.pattern().name())
              .detail("patternType", b.pattern().patternType().name())
              .build());
    }
    return out;
  }

  private synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(kafka.adminConfig());
    }
    return admin;
  }

  private static <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka ACLs: " + what + " failed: " + e.getCause().getClass().getSimpleName(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka ACLs: " + what + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Kafka ACLs: interrupted", e);
    }
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
