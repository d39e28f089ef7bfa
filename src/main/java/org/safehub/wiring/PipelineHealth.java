package org.safehub.wiring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.safehub.pipeline.Pipeline;

/**
 * Ready only while the pipeline loop is polling: a stuck pipeline takes the instance out of
 * rotation.
 */
@Readiness
@ApplicationScoped
public class PipelineHealth implements HealthCheck {

  private final Pipeline p;

  @Inject
  PipelineHealth(Pipeline pipeline) {
    this.p = pipeline;
  }

  @Override
  public HealthCheckResponse call() {
    if (!p.started()) {
      return HealthCheckResponse.named("pipeline").up().withData("enabled", false).build();
    }
    long idleSeconds = TimeUnit.NANOSECONDS.toSeconds(p.sinceLastLoopNanos());
    return HealthCheckResponse.named("pipeline")
        .status(idleSeconds < 60)
        .withData("processed", p.processed())
        .withData("secondsSinceLastPoll", idleSeconds)
        .build();
  }
}
