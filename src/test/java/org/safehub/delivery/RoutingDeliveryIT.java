package org.safehub.delivery;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.DemoAgencies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Publishes every message type against the real broker and checks that each expected agency
 * receives exactly one copy and every other agency none. The expectations are written out by hand
 * from deploy/config/routing.yaml, not computed by the router under test.
 */
@QuarkusTest
class RoutingDeliveryIT {

  /**
   * Every registered agency, the second area's demo2-* included: none of them may get a copy it was
   * not routed.
   */
  private static final List<String> AGENCIES = DemoAgencies.ids();

  private record Case(
      String type, String sender, String priority, List<String> recipients, Set<String> expected) {}

  private static final List<Case> CASES =
      List.of(
          new Case("referral", "demo-cs", "routine", List.of(), Set.of("demo-dvpp", "demo-iss")),
          new Case(
              "assessment-outcome",
              "demo-dvpp",
              "routine",
              List.of(),
              Set.of("demo-iss", "demo-cs")),
          new Case("attendance", "demo-dvpp", "routine", List.of(), Set.of("demo-iss", "demo-cs")),
          new Case(
              "programme-exit",
              "demo-dvpp",
              "routine",
              List.of(),
              Set.of("demo-iss", "demo-cs", "demo-marac")),
          new Case(
              "risk-disclosure",
              "demo-iss",
              "urgent",
              List.of(),
              Set.of("demo-dvpp", "demo-cs", "demo-mash")),
          new Case(
              "child-protection-alert",
              "demo-iss",
              "immediate",
              List.of(),
              Set.of("demo-cs", "demo-mash")),
          new Case("marac-referral", "demo-iss", "routine", List.of(), Set.of("demo-marac")),
          new Case(
              "marac-action", "demo-marac", "routine", List.of("demo-dvpp"), Set.of("demo-dvpp")),
          new Case(
              "partner-contact-summary",
              "demo-iss",
              "routine",
              List.of(),
              Set.of("demo-dvpp", "demo-cs")),
          new Case("consent-change", "demo-iss", "routine", List.of("demo-cs"), Set.of("demo-cs")),
          new Case(
              "acknowledgement", "demo-cs", "routine", List.of("demo-dvpp"), Set.of("demo-dvpp")));

  @Test
  void everyMessageTypeReachesExactlyItsExpectedRecipientsOnce() {
    assertEquals(
        Set.copyOf(TestMessages.TYPES),
        CASES.stream().map(Case::type).collect(java.util.stream.Collectors.toSet()));
    Map<String, Case> published = new LinkedHashMap<>();
    for (Case c : CASES) {
      ObjectNode msg = TestMessages.example(c.type());
      msg.put("priority", c.priority());
      if (!c.recipients().isEmpty()) {
        TestMessages.withRecipients(msg, c.recipients().toArray(String[]::new));
      }
      given()
          .auth()
          .oauth2(Tokens.forClient(c.sender()))
          .contentType("application/json")
          .body(TestMessages.json(msg))
          .post("/api/v1/messages")
          .then()
          .statusCode(202);
      published.put(msg.get("messageId").asText(), c);
    }
    // all copies of one message commit in one transaction: once one expected copy is visible, all
    // are
    published.forEach(
        (id, c) ->
            Awaitility.await(c.type())
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> DeliveryTopics.copiesOf(c.expected().iterator().next(), id) >= 1));
    for (String agency : AGENCIES) {
      // copies only: a fetch-notice to the sender carries the fetched message's id too (any fetch,
      // paged or streamed)
      List<String> idsInTopic =
          DeliveryTopics.readAll(DeliveryTopics.deliveryTopic(agency)).stream()
              .map(
                  r ->
                      DeliveryTopics.header(r, "safehub-message-id")
                          + "/"
                          + DeliveryTopics.header(r, "safehub-type"))
              .toList();
      published.forEach(
          (id, c) -> {
            long copies = idsInTopic.stream().filter((id + "/" + c.type())::equals).count();
            assertEquals(
                c.expected().contains(agency) ? 1 : 0, copies, c.type() + " copies at " + agency);
          });
    }
  }
}
