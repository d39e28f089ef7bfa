package org.safehub.delivery;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.safehub.testsupport.DeliveryTopics.assertCopiesExactlyAt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The second demo area, E08000025, with its own five demo2-* agencies: standing subscriptions stay
 * within their area, and each demo2 agency has a token, a registered key and can open the copies
 * sealed for it. Expectations are written out by hand from deploy/config/routing.yaml.
 */
@QuarkusTest
class SecondAreaIT {

  private static final String AREA = "E08000026";
  private static final String AREA2 = "E08000025";
  private static final List<String> DEMO2 =
      List.of("demo2-dvpp", "demo2-iss", "demo2-cs", "demo2-mash", "demo2-marac");

  private static String publish(String sender, String type, String area, String priority) {
    ObjectNode msg = TestMessages.example(type);
    msg.put("area", area);
    msg.put("priority", priority);
    given()
        .auth()
        .oauth2(Tokens.forClient(sender))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  @Test
  void attendanceInTheFirstAreaReachesItsSubscribersAndNoDemo2Agency() {
    // Given the standing subscriptions of both areas
    // When demo-dvpp publishes an attendance notice in E08000026
    String id = publish("demo-dvpp", "attendance", AREA, "routine");
    // Then demo-iss and demo-cs get it, and none of the second area's agencies
    assertCopiesExactlyAt(id, Set.of("demo-iss", "demo-cs"));
  }

  @Test
  void attendanceInTheSecondAreaReachesOnlyDemo2Subscribers() {
    // When demo2-dvpp publishes the same type in E08000025
    String id = publish("demo2-dvpp", "attendance", AREA2, "routine");
    // Then demo2-iss and demo2-cs get it, and none of the first area's agencies
    assertCopiesExactlyAt(id, Set.of("demo2-iss", "demo2-cs"));
  }

  @Test
  void eachDemo2AgencyGetsATokenAndOpensItsOwnSealedCopy() {
    // Given messages in E08000025 that, between them, reach all five demo2 agencies by subscription
    String risk =
        publish(
            "demo2-iss", "risk-disclosure", AREA2, "urgent"); // demo2-dvpp, demo2-cs, demo2-mash
    String exit =
        publish(
            "demo2-dvpp", "programme-exit", AREA2, "routine"); // demo2-iss, demo2-cs, demo2-marac
    assertCopiesExactlyAt(risk, Set.of("demo2-dvpp", "demo2-cs", "demo2-mash"));
    assertCopiesExactlyAt(exit, Set.of("demo2-iss", "demo2-cs", "demo2-marac"));
    for (String agency : DEMO2) {
      // When the agency gets a token with its demo secret
      assertEquals(agency, Tokens.payload(Tokens.forClient(agency)).path("agency").asText());
      String id = agency.equals("demo2-iss") || agency.equals("demo2-marac") ? exit : risk;
      String type = id.equals(exit) ? "programme-exit" : "risk-disclosure";
      // Then it fetches its copy and opens it with its own key (registered at start-up from
      // agencies.yaml)
      JsonNode document = SealedCopies.open(agency, inboxItem(agency, id, type));
      assertEquals(agency, document.path("recipient").asText());
      assertEquals(id, document.path("message").path("messageId").asText());
      assertEquals(AREA2, document.path("message").path("area").asText());
    }
  }

  private static JsonNode inboxItem(String agency, String messageId, String type) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              Optional<JsonNode> item = findInInbox(agency, messageId, type);
              item.ifPresent(found::set);
              return item.isPresent();
            });
    return found.get();
  }

  private static Optional<JsonNode> findInInbox(String agency, String messageId, String type) {
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
            && type.equals(item.path("type").asText())) {
          return Optional.of(item);
        }
      }
      cursor = page.path("nextCursor").asText();
    }
  }
}
