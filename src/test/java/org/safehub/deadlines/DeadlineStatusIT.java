package org.safehub.deadlines;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Status shows the clock (issue 13): each delivered copy's acknowledgement deadline, stored with
 * the delivery decision and read against the hub's clock (a settable one here).
 */
@QuarkusTest
class DeadlineStatusIT {

  @AfterEach
  void clockBack() {
    TestClocks.reset();
  }

  @Test
  void immediateAlertIsDueAnHourAfterAcceptanceThenOverdueThenAcknowledgedLate() {
    // Given an immediate child-protection alert delivered to Children's Services and the MASH
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "immediate");
    String id = publish("demo-iss", msg);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                states(status("demo-iss", id)).values().stream().allMatch("delivered"::equals)
                    && states(status("demo-iss", id)).size() == 2);
    JsonPath st = status("demo-iss", id);
    Instant accepted = Instant.parse(st.getString("receivedAt"));
    // Then each copy is due an hour after acceptance (the override for Children's Services, end
    // of the next working day, is later), and the recipient's inbox item carries its deadline
    for (String agency : List.of("demo-cs", "demo-mash")) {
      Instant deadline = Instant.parse(recipient(st, agency).get("deadline").toString());
      assertTrue(
          Duration.between(accepted.plus(Duration.ofHours(1)), deadline).abs().toMillis() < 1,
          agency + " deadline " + deadline + " for accepted " + accepted);
    }
    Instant csDeadline = Instant.parse(recipient(st, "demo-cs").get("deadline").toString());
    Map<String, Object> item = inboxItem("demo-cs", id);
    assertEquals(csDeadline, Instant.parse(item.get("deadline").toString()));
    // When the MASH acknowledges in time
    ack("demo-mash", id);
    // And the clock passes the deadline with Children's Services' copy unacknowledged
    TestClocks.CLOCK.now = csDeadline.plusSeconds(1);
    // Then that copy is overdue, and the MASH's acknowledged in time
    st = status("demo-iss", id);
    assertEquals("overdue", recipient(st, "demo-cs").get("state"));
    assertEquals("acknowledged", recipient(st, "demo-mash").get("state"));
    assertEquals(Boolean.FALSE, recipient(st, "demo-mash").get("acknowledgedLate"));
    // When Children's Services acknowledges after the deadline
    ack("demo-cs", id);
    // Then it is acknowledged, and recorded as late
    st = status("demo-iss", id);
    assertEquals("acknowledged", recipient(st, "demo-cs").get("state"));
    assertEquals(Boolean.TRUE, recipient(st, "demo-cs").get("acknowledgedLate"));
    assertNotNull(recipient(st, "demo-cs").get("deadline"));
  }

  @Test
  void routineMessageHasNoDeadlineAndIsNeverOverdue() {
    String id = publish("demo-dvpp", TestMessages.example("attendance"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> states(status("demo-dvpp", id)).containsValue("delivered"));
    TestClocks.CLOCK.now = Instant.now().plus(Duration.ofDays(30));
    JsonPath st = status("demo-dvpp", id);
    for (Map<String, Object> r : st.<Map<String, Object>>getList("recipients")) {
      assertEquals("delivered", r.get("state"), r.get("agency").toString());
      assertFalse(r.containsKey("deadline"), r.get("agency").toString());
    }
    assertFalse(inboxItem("demo-iss", id).containsKey("deadline"));
  }

  @Test
  void withheldCopyOfAnImmediateMessageHasNoDeadline() {
    // Given an immediate message to an agency not permitted to receive it
    ObjectNode msg = TestMessages.example("attendance");
    msg.put("priority", "immediate");
    TestMessages.withRecipients(msg, "demo-marac");
    String id = publish("demo-dvpp", msg);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> "withheld".equals(states(status("demo-dvpp", id)).get("demo-marac")));
    // When the clock passes any hour
    TestClocks.CLOCK.now = Instant.now().plus(Duration.ofDays(2));
    // Then it stays withheld, with no deadline
    Map<String, Object> r = recipient(status("demo-dvpp", id), "demo-marac");
    assertEquals("withheld", r.get("state"));
    assertNull(r.get("deadline"));
  }

  private static String publish(String sender, ObjectNode msg) {
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

  private static void ack(String agency, String id) {
    given()
        .auth()
        .oauth2(Tokens.forClient(agency))
        .post("/api/v1/inbox/" + id + "/ack")
        .then()
        .statusCode(200);
  }

  private static JsonPath status(String sender, String id) {
    return given()
        .auth()
        .oauth2(Tokens.forClient(sender))
        .get("/api/v1/messages/" + id + "/status")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static Map<String, String> states(JsonPath st) {
    Map<String, String> out = new HashMap<>();
    for (Map<String, Object> r : st.<Map<String, Object>>getList("recipients")) {
      out.put((String) r.get("agency"), (String) r.get("state"));
    }
    return out;
  }

  private static Map<String, Object> recipient(JsonPath st, String agency) {
    for (Map<String, Object> r : st.<Map<String, Object>>getList("recipients")) {
      if (agency.equals(r.get("agency"))) {
        return r;
      }
    }
    throw new AssertionError("no recipient " + agency);
  }

  /** The agency's inbox item for the message, paging from the start. */
  /**
   * The agency's inbox item for {@code id}, waited for: its status says delivered once the decision
   * is recorded, and the copy is readable once the pipeline's Kafka transaction, which follows,
   * commits.
   */
  private static Map<String, Object> inboxItem(String agency, String id) {
    AtomicReference<Map<String, Object>> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              found.set(findInboxItem(agency, id));
              return found.get() != null;
            });
    return found.get();
  }

  /** The agency's inbox item for {@code id}, or null if its inbox has none (yet). */
  private static Map<String, Object> findInboxItem(String agency, String id) {
    String cursor = null;
    while (true) {
      var req = given().auth().oauth2(Tokens.forClient(agency)).queryParam("limit", 500);
      if (cursor != null) {
        req = req.queryParam("after", cursor);
      }
      JsonPath page = req.get("/api/v1/inbox").then().statusCode(200).extract().jsonPath();
      List<Map<String, Object>> items = page.getList("items");
      for (Map<String, Object> i : items) {
        if (id.equals(i.get("messageId")) && !"safehub".equals(i.get("sender"))) {
          return i;
        }
      }
      if (items.isEmpty()) {
        return null;
      }
      cursor = page.getString("nextCursor");
    }
  }
}
