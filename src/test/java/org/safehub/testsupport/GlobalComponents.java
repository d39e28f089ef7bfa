package org.safehub.testsupport;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Registers the real components (Kafka, PostgreSQL, Keycloak) for every Quarkus test in the run:
 * started once, shared by all test classes.
 */
@QuarkusTestResource(value = ComponentsResource.class, restrictToAnnotatedClass = false)
public final class GlobalComponents {
  private GlobalComponents() {}
}
