package org.safehub.wiring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.safehub.cases.CaseReads;

/**
 * Ready only while the thread that reads single publishes' cases runs: without it no single publish
 * can be judged against its case.
 */
@Readiness
@ApplicationScoped
public class CaseReadsHealth implements HealthCheck {

  private final CaseReads reads;

  @Inject
  CaseReadsHealth(CaseReads reads) {
    this.reads = reads;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("case-reads").status(reads.alive()).build();
  }
}
