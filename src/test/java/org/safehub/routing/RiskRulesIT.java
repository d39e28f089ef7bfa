package org.safehub.routing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.envelope.Envelope;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Risk-led rules on the real stack (issue 12): routing.yaml's rules add the area's MARAC and MASH
 * to a high-risk disclosure, and a MARAC referral about a victim referred in the previous 12 months
 * (by the hub's clock, settable here) is flagged a repeat and reaches MARAC whatever its score; the
 * sender's status says per recipient why it was chosen ({@code via}), each copy carries its {@code
 * flags}.
 */
@QuarkusTest
class RiskRulesIT {

  private static final String REPEAT = "repeat-marac-referral";

  @BeforeEach
  @AfterEach
  void clockBack() {
    TestClocks.reset();
  }

  @Test
  void highRiskDisclosureReachesTheAreasMaracAndMashThoughTheSenderNamedNeither() {
    // Given a routine high-risk disclosure from Children's Services naming partner support only
    // (MARAC has no subscription to disclosures; the MASH's is for urgent ones)
    ObjectNode msg =
        TestMessages.withRecipients(TestMessages.example("risk-disclosure"), "demo-iss");
    ((ObjectNode) msg.get("payload")).put("riskLevel", "high");
    // When
    String id = publish("demo-cs", msg);
    // Then MARAC and MASH of E08000026 get it by the rule, and the status says so per recipient
    Map<String, String> via = awaitDecided("demo-cs", id, 4);
    assertEquals(
        Map.of(
            "demo-iss", "explicit",
            "demo-dvpp", "subscription",
            "demo-marac", "rule:high-risk-disclosure",
            "demo-mash", "rule:high-risk-disclosure"),
        via);
    // (the status says delivered once the decisions are recorded; the copies are readable once the
    // pipeline's Kafka transaction, which follows, commits: all of them at once)
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> DeliveryTopics.copiesOf("demo-marac", id) >= 1);
    assertEquals(1, DeliveryTopics.copiesOf("demo-marac", id));
    assertEquals(1, DeliveryTopics.copiesOf("demo-mash", id));
    // and neither the other area's MARAC nor its MASH
    assertEquals(0, DeliveryTopics.copiesOf("demo2-marac", id));
    assertEquals(0, DeliveryTopics.copiesOf("demo2-mash", id));
    // each copy carries its flags: none here
    JsonNode marac = SealedCopies.open("demo-marac", inboxItem("demo-marac", id));
    assertTrue(marac.path("flags").isArray(), marac.toString());
    assertEquals(0, marac.path("flags").size());
    assertEquals("high", marac.path("message").path("payload").path("riskLevel").asText());
    // the programme's copy: no flags, no other recipients, no victim address (the guard)
    JsonNode programme = SealedCopies.open("demo-dvpp", inboxItem("demo-dvpp", id));
    assertEquals(0, programme.path("flags").size());
    assertTrue(programme.path("message").path("recipients").isMissingNode());
    assertTrue(programme.path("message").path("payload").path("victimAddress").isMissingNode());
  }

  @Test
  void secondMaracReferralAboutTheSameVictimWithinAYearIsARepeatAndReachesMaracWithScore5() {
    // Given a victim referred to MARAC once
    String victim = "SUBJ-V-" + UUID.randomUUID();
    String first = publish("demo-iss", referral(victim, "demo-mash"));
    awaitDecided("demo-iss", first, 2);
    assertEquals(List.of(), flags("demo-marac", first));
    // When a month later (by the hub's clock) a referral with a DASH score of 5 and criterion
    // professional judgement is made about her, addressed to the MASH only
    TestClocks.CLOCK.now = Instant.now().plus(Duration.ofDays(30));
    String second = publish("demo-iss", referral(victim, "demo-mash"));
    // Then it reaches MARAC, and every copy is marked a repeat
    Map<String, String> via = awaitDecided("demo-iss", second, 2);
    assertEquals("explicit", via.get("demo-mash"));
    assertTrue(via.containsKey("demo-marac"), via.toString());
    JsonNode marac = SealedCopies.open("demo-marac", inboxItem("demo-marac", second));
    assertEquals(List.of(REPEAT), list(marac.path("flags")));
    assertEquals(5, marac.path("message").path("payload").path("dashScore").asInt());
    assertEquals(List.of(REPEAT), flags("demo-mash", second));
  }

  @Test
  void ofTwoReferralsAboutOneVictimAcceptedBackToBackOnlyTheSecondIsARepeat() {
    // Given a victim never referred
    String victim = "SUBJ-V-" + UUID.randomUUID();
    // When two referrals about her are accepted one after the other (most likely routed in one
    // batch)
    String first = publish("demo-iss", referral(victim, "demo-mash"));
    String second = publish("demo-cs", referral(victim, "demo-mash"));
    // Then the first is not a repeat, and the second is (the earlier one counts, not itself)
    awaitDecided("demo-iss", first, 2);
    awaitDecided("demo-cs", second, 2);
    assertEquals(List.of(), flags("demo-marac", first));
    assertEquals(List.of(REPEAT), flags("demo-marac", second));
  }

  @Inject MaracReferrals referrals;

  @Inject DataSource ds;

  @Test
  void twoReferralsAboutOneVictimInOnePipelineBatchAreRecordedTogether() throws Exception {
    // Given two referrals about one victim in one pipeline batch, on the hub's own datasource
    // (batched INSERTs sent as one multi-row statement, as shipped)
    String victim = "SUBJ-V-" + UUID.randomUUID();
    Instant earlier = Instant.parse("2026-11-01T10:00:00Z");
    Instant later = Instant.parse("2026-11-01T10:00:01Z");
    MaracReferrals.Batch batch =
        referrals.beginBatch(
            List.of(
                new MaracReferrals.Accepted(Envelope.of(referral(victim, "demo-mash")), later),
                new MaracReferrals.Accepted(Envelope.of(referral(victim, "demo-mash")), earlier)));
    // When the batch records them (the upsert may not touch her row twice in one statement)
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      batch.record(c);
      c.commit();
    }
    // Then her row holds the later time
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select referred_at from marac_referral where subject_ref = ?")) {
      ps.setString(1, victim);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(later, rs.getTimestamp(1).toInstant());
      }
    }
  }

  @Test
  void referralThirteenMonthsAfterTheLastIsNotARepeat() {
    // Given a victim referred to MARAC
    String victim = "SUBJ-V-" + UUID.randomUUID();
    String first = publish("demo-iss", referral(victim, "demo-mash"));
    awaitDecided("demo-iss", first, 2);
    // When the hub's clock stands 13 months later and she is referred again
    TestClocks.CLOCK.now =
        Instant.now().atZone(ZoneOffset.UTC).plus(Period.ofMonths(13)).toInstant();
    String later = publish("demo-iss", referral(victim, "demo-mash"));
    awaitDecided("demo-iss", later, 2);
    // Then it is not a repeat
    assertEquals(List.of(), flags("demo-marac", later));
    assertEquals(List.of(), flags("demo-mash", later));
  }

  @Test
  void programmesStatusOfARepeatReferralLooksLikeThatOfAFirstOne() {
    // Given a victim a partner-support service referred to MARAC
    String victim = "SUBJ-V-" + UUID.randomUUID();
    awaitDecided("demo-iss", publish("demo-iss", referral(victim, "demo-mash")), 2);
    // When the perpetrator programme refers her again, and refers a victim never referred
    String repeat = publish("demo-dvpp", referral(victim, "demo-mash"));
    String fresh = publish("demo-dvpp", referral("SUBJ-V-" + UUID.randomUUID(), "demo-mash"));
    // Then the programme's status of the two shows the same recipients, for the same reasons:
    // nothing tells it that she was referred before
    assertEquals(awaitDecided("demo-dvpp", fresh, 2), awaitDecided("demo-dvpp", repeat, 2));
    assertEquals(List.of(REPEAT), flags("demo-marac", repeat));
  }

  private static ObjectNode referral(String victim, String... recipients) {
    ObjectNode msg =
        TestMessages.withRecipients(TestMessages.example("marac-referral"), recipients);
    msg.putArray("subjects").addObject().put("ref", victim).put("role", "victim");
    ObjectNode payload = msg.putObject("payload");
    payload.put("criterion", "professional-judgement").put("dashScore", 5);
    return msg;
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

  /** Waits until {@code n} recipients are decided (none pending); each one's via. */
  private static Map<String, String> awaitDecided(String sender, String id, int n) {
    AtomicReference<Map<String, String>> out = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
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
              Map<String, String> via = new TreeMap<>();
              for (JsonNode r : st.path("recipients")) {
                if ("pending".equals(r.path("state").asText()) || !r.has("via")) {
                  return false;
                }
                via.put(r.path("agency").asText(), r.path("via").asText());
              }
              out.set(via);
              return via.size() >= n;
            });
    return out.get();
  }

  private static List<String> flags(String agency, String id) {
    return list(SealedCopies.open(agency, inboxItem(agency, id)).path("flags"));
  }

  private static List<String> list(JsonNode array) {
    assertTrue(array.isArray(), "flags is a list: " + array);
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static JsonNode inboxItem(String agency, String messageId) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              Optional<JsonNode> item = findInInbox(agency, messageId);
              item.ifPresent(found::set);
              return item.isPresent();
            });
    return found.get();
  }

  private static Optional<JsonNode> findInInbox(String agency, String messageId) {
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
            && !"safehub".equals(item.path("sender").asText())) {
          return Optional.of(item);
        }
      }
      cursor = page.path("nextCursor").asText();
    }
  }
}
