package org.safehub.config;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.safehub.devstack.DevStack;
import org.safehub.devstack.DevStackMain;
import org.safehub.testsupport.ComponentsResource;

/**
 * The packaged hub, started as production starts it (not by the dev stack) against real components,
 * refuses to start with the demo secrets and names each setting to change.
 */
class DemoSecretsRefusedIT {

  @Test
  void thePackagedHubOutsideTheDevStackRefusesToStartWithDemoSecretsNamingEachSetting()
      throws Exception {
    // Given the real components, and the demo datasource password, the development key-store
    // password
    // (the default) and a demo client secret
    DevStack.Endpoints endpoints = ComponentsResource.endpoints();
    Path log = Path.of("target", "demo-secrets-refused.log");
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-Dkafka.bootstrap.servers=" + endpoints.kafkaBootstrap());
    command.add("-Dquarkus.datasource.jdbc.url=" + endpoints.jdbcUrl());
    command.add("-Dquarkus.datasource.username=" + endpoints.dbUser());
    command.add("-Dquarkus.datasource.password=postgres");
    command.add("-Dquarkus.oidc.auth-server-url=" + endpoints.issuer());
    command.add("-Dquarkus.oidc.credentials.secret=demo-iss-demo-secret");
    command.add("-Dquarkus.http.port=0");
    command.add("-Dsafehub.instance-id=demo-secrets-refused");
    command.add("-Dsafehub.pipeline.enabled=false");
    command.add(
        "-Dsafehub.data-dir="
            + Files.createTempDirectory(Path.of("target"), "demo-secrets").toAbsolutePath());
    command.add("-jar");
    command.add(DevStackMain.HUB_JAR.toAbsolutePath().toString());
    // When it is started without -Dsafehub.dev-stack=true
    Process hub =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = hub.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      hub.descendants().forEach(ProcessHandle::destroy);
      hub.destroyForcibly();
    }
    // Then it stops with an error naming each setting
    String output = Files.readString(log);
    assertTrue(exited, "the hub did not stop within 120 s; output in " + log);
    assertNotEquals(0, hub.exitValue(), output);
    for (String setting :
        List.of(
            "quarkus.datasource.password",
            "safehub.keys.hub-keystore-password",
            "quarkus.oidc.credentials.secret",
            // the auditor console's demo client secret, the shipped default
            "quarkus.oidc.console.credentials.secret")) {
      assertTrue(output.contains(setting), "the refusal names " + setting + ":\n" + output);
    }
    assertTrue(output.contains("refuses to start outside the dev stack"), output);
  }
}
