package org.safehub.api;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.safehub.audit.AuditEvent;
import org.safehub.identity.TokenClaims;
import org.safehub.limits.LimitsConfig;
import org.safehub.limits.RefusalLedger;
import org.safehub.limits.TokenBuckets;
import org.safehub.problem.HubProblem;
import org.safehub.trail.AuditTrail;

/**
 * Rate limits on {@code /api/**}, before any resource runs: a request with a valid token counts
 * against its agency's bucket; one without (no token, or a token that fails verification) against
 * its source address's much smaller bucket, so a flood of bad requests is refused with {@code 429}
 * while callers with valid tokens from the same address (a shared proxy, a NAT) are still served.
 * Also thins the audit of refusals under a flood ({@link RefusalLedger}) and writes its aggregated
 * events.
 */
@ApplicationScoped
public class AbuseLimits {

  @Inject CurrentIdentityAssociation identities;

  @Inject AuditTrail trail;

  private final TokenBuckets agencies;
  private final TokenBuckets sources;
  private final RefusalLedger ledger;

  @Inject
  AbuseLimits(LimitsConfig config) {
    this.agencies =
        new TokenBuckets(
            config.agency().perSecond(),
            config.agency().burst(),
            config.maxTrackedCallers(),
            System::nanoTime);
    this.sources =
        new TokenBuckets(
            config.unauthenticated().perSecond(),
            config.unauthenticated().burst(),
            config.maxTrackedCallers(),
            System::nanoTime);
    this.ledger =
        new RefusalLedger(
            config.auditPerCallerPerWindow(),
            config.auditOverallPerWindow(),
            config.auditWindow(),
            config.maxTrackedCallers(),
            Clock.systemUTC());
  }

  /**
   * The caller a refusal is counted against for audit thinning, or null when it is always audited
   * one by one.
   */
  static String ledgerKey(String agency, int status, HttpServerRequest request) {
    if (agency == null) {
      return "source:" + source(request);
    }
    return status == 429 ? "agency:" + agency : null;
  }

  /**
   * True: audit this refusal as its own event; false: it is counted in its window's aggregated
   * event.
   */
  boolean auditOneByOne(String ledgerKey, RefusalLedger.Kind kind) {
    return ledgerKey == null || ledger.admit(ledgerKey, kind);
  }

  @ServerRequestFilter(preMatching = true)
  public Uni<Void> limit(HttpServerRequest request) {
    if (!request.path().startsWith("/api/")) {
      return Uni.createFrom().voidItem();
    }
    if (request.getHeader(HttpHeaders.AUTHORIZATION) == null) {
      // nothing to verify: this request can only be refused, so it counts against its source at
      // once
      charge(sources, source(request), "unauthenticated requests from this address");
      return Uni.createFrom().voidItem();
    }
    return identities
        .getDeferredIdentity()
        .onFailure()
        .recoverWithNull()
        .map(
            identity -> {
              String agency = agencyOf(identity);
              if (identity != null) {
                // resolved here once: later readers (the resources, the problem mapper) need not
                // wait for it
                identities.setIdentity(identity);
              }
              if (agency != null) {
                charge(agencies, agency, "requests from this agency");
              } else {
                // the token failed verification (the resource will answer 401): counted against the
                // source
                charge(sources, source(request), "unauthenticated requests from this address");
              }
              return null;
            });
  }

  /**
   * A batch publish counts each of its messages as a request against its agency's rate: {@code
   * extra} more than the request itself, which the filter has counted.
   */
  void chargeBatch(String agency, int extra) {
    if (extra > 0) {
      charge(agencies, agency, extra, "messages from this agency");
    }
  }

  private static void charge(TokenBuckets buckets, String key, String what) {
    charge(buckets, key, 1, what);
  }

  private static void charge(TokenBuckets buckets, String key, int n, String what) {
    long wait = buckets.take(key, n);
    if (wait > 0) {
      throw new HubProblem(
          429,
          "rate-limited",
          "Too many requests",
          "Too many " + what + "; retry after the time in Retry-After.",
          List.of(),
          TokenBuckets.retryAfterSeconds(wait));
    }
  }

  private static String agencyOf(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      return null;
    }
    String agency = TokenClaims.text(identity.getPrincipal(), "agency");
    if (agency != null && !agency.isBlank()) {
      return agency;
    }
    // authenticated, but no agency claim (the resource refuses it): counted under its client
    return "client:" + identity.getPrincipal().getName();
  }

  private static String source(HttpServerRequest request) {
    return request == null || request.remoteAddress() == null
        ? "unknown"
        : request.remoteAddress().hostAddress();
  }

  @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void writeAggregates() {
    write(ledger.drain(false));
  }

  // before the audit log closes
  void onStop(@Observes @Priority(1) ShutdownEvent ev) {
    write(ledger.drain(true));
  }

  private void write(List<RefusalLedger.Aggregate> aggregates) {
    for (RefusalLedger.Aggregate a : aggregates) {
      trail.recordQuietly(
          AuditEvent.builder(a.kind().action(), Instant.now())
              .reason(a.kind().reason())
              .detail("status", Integer.toString(a.kind().status()))
              .detail("aggregated", "true")
              .detail("count", Long.toString(a.count()))
              .detail("callers", Integer.toString(a.callers()))
              .detail("windowStart", a.windowStart().toString())
              .detail("windowSeconds", Long.toString(a.window().toSeconds()))
              .build());
    }
  }
}
