package org.safehub.delivery;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * What a perpetrator programme's copy may reveal, read from the sealed copy it fetches from its
 * inbox on the real stack: not which other agencies were told, and not that a victim's address or
 * phone, a child's school or a note existed (the names of guarded categories among the removed
 * ones).
 */
@QuarkusTest
class ProgrammeCopyIT {

  private static final List<String> GUARDED =
      List.of("victim-location", "victim-contact", "child-location", "free-text");

  /**
   * A risk disclosure from Children's Services with a victim's address and phone, a child's school
   * and a note, named to three agencies; high risk, so routing.yaml's rule adds the MARAC too.
   */
  private static String publishRiskDisclosure() {
    ObjectNode msg = TestMessages.example("risk-disclosure");
    assertTrue(
        msg.at("/payload/victimAddress").isTextual() && msg.at("/payload/childSchool").isTextual(),
        "the example holds guarded data");
    ((ObjectNode) msg.get("payload")).put("riskLevel", "high");
    TestMessages.withRecipients(msg, "demo-dvpp", "demo-iss", "demo-mash");
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-cs"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  /** The opened copy of {@code messageId} in {@code agency}'s inbox, once it is there. */
  private static JsonNode openedCopy(String agency, String messageId) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              Optional<JsonNode> item = inboxItem(agency, messageId);
              item.ifPresent(found::set);
              return item.isPresent();
            });
    return SealedCopies.open(agency, found.get());
  }

  private static Optional<JsonNode> inboxItem(String agency, String messageId) {
    String cursor = null;
    while (true) {
      var req = given().auth().oauth2(Tokens.forClient(agency)).queryParam("limit", 500);
      if (cursor != null) {
        req.queryParam("after", cursor);
      }
      JsonNode page =
          TestMessages.readTree(
              req.get("/api/v1/inbox").then().statusCode(200).extract().asString());
      if (page.path("items").isEmpty()) {
        return Optional.empty();
      }
      for (JsonNode item : page.path("items")) {
        if (messageId.equals(item.path("messageId").asText())
            && "risk-disclosure".equals(item.path("type").asText())) {
          return Optional.of(item);
        }
      }
      cursor = page.path("nextCursor").asText();
    }
  }

  @Test
  void aProgrammesCopyListsNoOtherRecipientAndNamesNoGuardedCategory() {
    String id = publishRiskDisclosure();
    JsonNode copy = openedCopy("demo-dvpp", id);
    String text = copy.toString();
    assertEquals(id, copy.path("message").path("messageId").asText());
    assertTrue(
        copy.path("message").path("recipients").isMissingNode(),
        "the programme's copy lists the recipients: " + copy.path("message").path("recipients"));
    for (String other : List.of("demo-iss", "demo-mash", "demo-marac")) {
      assertFalse(text.contains(other), "the programme's copy names another recipient, " + other);
    }
    assertTrue(copy.path("removedCategories").isArray(), text);
    assertEquals("[]", copy.path("flags").toString(), "a programme's copy carries no flags");
    for (String guarded : GUARDED) {
      assertFalse(
          text.contains(guarded),
          "the programme's copy names the guarded category "
              + guarded
              + ": "
              + copy.path("removedCategories"));
    }
    // and the data itself is not there
    assertTrue(copy.at("/message/payload/victimAddress").isMissingNode());
    assertTrue(copy.at("/message/payload/childSchool").isMissingNode());
    assertEquals("high", copy.at("/message/payload/riskLevel").asText());
  }

  @Test
  void otherAgenciesStillSeeTheRecipientsAndEveryCategoryRemovedFromTheirCopy() {
    String id = publishRiskDisclosure();
    JsonNode partner = openedCopy("demo-iss", id);
    assertEquals(
        "[\"demo-dvpp\",\"demo-iss\",\"demo-mash\"]",
        partner.path("message").path("recipients").toString());
    assertEquals(
        "[\"child-location\",\"health\"]",
        partner.path("removedCategories").toString(),
        "partner support is told what was removed");
  }
}
