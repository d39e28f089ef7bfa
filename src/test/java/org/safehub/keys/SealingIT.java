package org.safehub.keys;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.client.SafehubClient;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.CopyOpener;
import org.safehub.crypto.PemKeys;
import org.safehub.crypto.RecipientKeyType;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Every copy sealed for its recipient alone, interoperable with openssl, with rotation, revocation
 * and suspension.
 */
@QuarkusTest
class SealingIT {

  @TestHTTPResource("/")
  URL hub;

  @TempDir Path tmp;

  static String publish(String client, ObjectNode msg) {
    given()
        .auth()
        .oauth2(Tokens.forClient(client))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  static JsonNode item(String agency, String messageId) {
    String cursor = null;
    while (true) {
      var req = given().auth().oauth2(Tokens.forClient(agency)).queryParam("limit", 500);
      if (cursor != null) {
        req.queryParam("after", cursor);
      }
      JsonNode page =
          TestMessages.readTree(
              req.get("/api/v1/inbox").then().statusCode(200).extract().asString());
      if (page.get("items").isEmpty()) {
        return null;
      }
      for (JsonNode i : page.get("items")) {
        if (messageId.equals(i.get("messageId").asText())) {
          return i;
        }
      }
      cursor = page.get("nextCursor").asText();
    }
  }

  static JsonNode awaitItem(String agency, String messageId) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> item(agency, messageId) != null);
    return item(agency, messageId);
  }

  static String state(String sender, String id, String agency) {
    JsonNode st =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient(sender))
                .get("/api/v1/messages/" + id + "/status")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    for (JsonNode r : st.get("recipients")) {
      if (r.get("agency").asText().equals(agency)) {
        return r.get("state").asText() + (r.has("reason") ? ":" + r.get("reason").asText() : "");
      }
    }
    return "none";
  }

  private String openssl(Path dir, String... args) throws Exception {
    Process p = new ProcessBuilder(args).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl timed out");
    assertEquals(0, p.exitValue(), String.join(" ", args) + ":\n" + out);
    return out;
  }

  @Test
  void deliveredCopiesOpenWithOpensslCmsAndWithTheClientTool() throws Exception {
    // Given an attendance message, delivered to partner support (an EC key) and Children's Services
    // (an RSA key)
    String id = publish("demo-dvpp", TestMessages.example("attendance"));
    for (String agency : List.of("demo-iss", "demo-cs")) {
      JsonNode item = awaitItem(agency, id);
      Path dir = Files.createDirectories(tmp.resolve(agency));
      Files.write(dir.resolve("copy.der"), Base64.getDecoder().decode(item.get("copy").asText()));
      // When openssl decrypts with the agency key and verifies against the hub certificate
      openssl(
          dir,
          "openssl",
          "cms",
          "-decrypt",
          "-inform",
          "DER",
          "-in",
          "copy.der",
          "-recip",
          SealedCopies.agencyCert(agency).toAbsolutePath().toString(),
          "-inkey",
          SealedCopies.agencyKey(agency).toAbsolutePath().toString(),
          "-out",
          "signed.der");
      String verify =
          openssl(
              dir,
              "openssl",
              "cms",
              "-verify",
              "-inform",
              "DER",
              "-in",
              "signed.der",
              "-CAfile",
              SealedCopies.hubCert().toAbsolutePath().toString(),
              "-out",
              "content.json");
      // Then it is the copy addressed to that agency, and the hub's own opener agrees byte for byte
      assertTrue(verify.contains("Verification successful"), verify);
      JsonNode viaOpenssl = TestMessages.MAPPER.readTree(dir.resolve("content.json").toFile());
      assertEquals(id, viaOpenssl.get("messageId").asText());
      assertEquals(agency, viaOpenssl.get("recipient").asText());
      assertEquals(SealedCopies.open(agency, item), viaOpenssl);
    }
    // and the client tool an agency runs opens it too
    List<SafehubClient.Item> items =
        SafehubClient.fetch(
            new SafehubClient.Options(
                URI.create(hub.toString()),
                URI.create(Tokens.issuer() + "/protocol/openid-connect/token"),
                "demo-iss",
                "demo-iss-demo-secret",
                SealedCopies.agencyKey("demo-iss"),
                SealedCopies.agencyCert("demo-iss"),
                SealedCopies.hubCert(),
                null,
                500));
    SafehubClient.Item mine =
        items.stream().filter(i -> i.messageId().equals(id)).findFirst().orElseThrow();
    assertEquals(null, mine.error());
    assertEquals(id, mine.document().get("message").get("messageId").asText());
  }

  @Test
  void aCopyCannotBeOpenedByAnotherAgencyAndATamperedCopyFailsClearly() {
    String id = publish("demo-dvpp", TestMessages.example("attendance"));
    JsonNode item = awaitItem("demo-iss", id);
    AssertionError other =
        assertThrows(AssertionError.class, () -> SealedCopies.open("demo-cs", item));
    assertTrue(other.getMessage().contains("demo-cs"), other.getMessage());
    byte[] der = Base64.getDecoder().decode(item.get("copy").asText());
    der[der.length - 20] ^= 0x01;
    ObjectNode tampered = item.deepCopy();
    tampered.put("copy", Base64.getEncoder().encodeToString(der));
    AssertionError e =
        assertThrows(AssertionError.class, () -> SealedCopies.open("demo-iss", tampered));
    assertTrue(
        e.getMessage().toLowerCase(Locale.ROOT).contains("authentic")
            || e.getMessage().toLowerCase(Locale.ROOT).contains("verif"),
        e.getMessage());
  }

  @Test
  void newestCertificateIsUsedAndARevokedOneNever() throws Exception {
    // Given a second, newer certificate for MARAC
    var rotated = AgencyKeyGenerator.generate("demo-marac", RecipientKeyType.EC_P256, tmp);
    String keyId =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-admin"))
            .contentType("application/x-pem-file")
            .body(rotated.pem().getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .post("/api/v1/admin/agencies/demo-marac/certificates")
            .then()
            .statusCode(201)
            .extract()
            .path("keyId");
    try {
      // When a message for MARAC is sealed, it is for the new key
      String id = publish("demo-iss", TestMessages.example("marac-referral"));
      JsonNode item = awaitItem("demo-marac", id);
      var opened =
          new CopyOpener()
              .open(
                  Base64.getDecoder().decode(item.get("copy").asText()),
                  PemKeys.readPrivateKey(AgencyKeyGenerator.keyFile(tmp, "demo-marac")),
                  rotated.certificate(),
                  PemKeys.readCertificate(SealedCopies.hubCert()));
      assertTrue(new String(opened.content(), StandardCharsets.UTF_8).contains(id));
      assertThrows(
          AssertionError.class,
          () -> SealedCopies.open("demo-marac", item),
          "the old key no longer opens new copies");
    } finally {
      // Then once revoked, the new certificate is never used again: copies go back to the older
      // valid one
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .post("/api/v1/admin/agencies/demo-marac/certificates/" + keyId + "/revoke")
          .then()
          .statusCode(200)
          .body("revoked", equalTo(true));
    }
    String after = publish("demo-iss", TestMessages.example("marac-referral"));
    JsonNode item = awaitItem("demo-marac", after);
    assertEquals(after, SealedCopies.open("demo-marac", item).get("messageId").asText());
  }

  @Test
  void malformedOrWeakCertificatesAreRefusedAndOnlyOperatorsManageKeys() {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-admin"))
        .contentType("application/x-pem-file")
        .body(
            "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .post("/api/v1/admin/agencies/demo-iss/certificates")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:invalid-certificate"));
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .contentType("application/x-pem-file")
        .body("x".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .post("/api/v1/admin/agencies/demo-iss/certificates")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .post("/api/v1/admin/agencies/demo-cs/suspend")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-admin"))
        .post("/api/v1/admin/agencies/no-such-agency/suspend")
        .then()
        .statusCode(404);
  }

  @Test
  void suspendedAgencyReceivesNothingFromTheMomentOfSuspension() {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-admin"))
        .post("/api/v1/admin/agencies/demo-cs/suspend")
        .then()
        .statusCode(200)
        .body("status", equalTo("suspended"));
    String id;
    try {
      id = publish("demo-dvpp", TestMessages.example("attendance"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> state("demo-dvpp", id, "demo-cs").startsWith("withheld"));
      assertEquals("withheld:agency-suspended", state("demo-dvpp", id, "demo-cs"));
      assertEquals("delivered", state("demo-dvpp", id, "demo-iss"));
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-cs"))
          .get("/api/v1/inbox")
          .then()
          .statusCode(403)
          .body("type", equalTo("urn:safehub:problem:agency-suspended"));
      // nor can it send: refused in the transaction that would have taken the message's receipt
      ObjectNode fromSuspended = TestMessages.example("risk-disclosure");
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-cs"))
          .contentType("application/json")
          .body(fromSuspended.toString())
          .post("/api/v1/messages")
          .then()
          .statusCode(403)
          .contentType("application/problem+json")
          .body("type", equalTo("urn:safehub:problem:agency-suspended"));
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-cs"))
          .get("/api/v1/messages/" + fromSuspended.get("messageId").asText() + "/status")
          .then()
          .statusCode(404);
    } finally {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .post("/api/v1/admin/agencies/demo-cs/reinstate")
          .then()
          .statusCode(200);
    }
    assertFalse(item("demo-cs", id) != null, "no copy was written for the suspended agency");
    String later = publish("demo-dvpp", TestMessages.example("attendance"));
    awaitItem("demo-cs", later);
  }

  @Test
  void agencyWithNoUsableCertificateHasItsCopyWithheldNeverSentInPlaintext() throws Exception {
    // Given every certificate of MASH revoked
    JsonNode certs =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-admin"))
                .get("/api/v1/admin/agencies/demo-mash")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    for (JsonNode c : certs.get("certificates")) {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .post(
              "/api/v1/admin/agencies/demo-mash/certificates/"
                  + c.get("keyId").asText()
                  + "/revoke")
          .then()
          .statusCode(200);
    }
    try {
      ObjectNode alert = TestMessages.example("child-protection-alert");
      alert.put("priority", "immediate");
      String id = publish("demo-iss", alert);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> state("demo-iss", id, "demo-mash").startsWith("withheld"));
      assertEquals("withheld:sealing-failed", state("demo-iss", id, "demo-mash"));
      assertEquals(null, item("demo-mash", id));
    } finally {
      // a new key for MASH, in the place the other tests read it from
      Files.deleteIfExists(SealedCopies.agencyKey("demo-mash"));
      Files.deleteIfExists(SealedCopies.agencyCert("demo-mash"));
      var fresh =
          AgencyKeyGenerator.generate(
              "demo-mash", RecipientKeyType.EC_P256, SealedCopies.KEYS.resolve("agencies"));
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .contentType("application/x-pem-file")
          .body(fresh.pem().getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .post("/api/v1/admin/agencies/demo-mash/certificates")
          .then()
          .statusCode(201);
    }
  }
}
