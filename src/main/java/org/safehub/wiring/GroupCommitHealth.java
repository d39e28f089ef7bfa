package org.safehub.wiring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.safehub.ingress.GroupCommit;

/**
 * Ready only while the publish path's group-commit thread runs: without it no publish can be
 * accepted.
 */
@Readiness
@ApplicationScoped
public class GroupCommitHealth implements HealthCheck {

  private final GroupCommit group;

  @Inject
  GroupCommitHealth(GroupCommit group) {
    this.group = group;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("group-commit")
        .status(group.alive())
        .withData("queued", group.queued())
        .build();
  }
}
