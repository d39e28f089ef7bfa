package org.safehub.cases;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.safehub.cases.CaseCalls.member;
import static org.safehub.cases.CaseCalls.newCaseRef;
import static org.safehub.testsupport.DeliveryTopics.assertCopiesExactlyAt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.pipeline.DeadlineEscalator;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Case-tied delivery on the real stack (issue 12): the victim's own worker hears the programme's
 * news wherever she is and at a raised priority, the local service of the same type does not
 * (unless it is on the case), a closed case refuses messages but a referral, a referral opens its
 * case, and unexplained absences make exactly one attendance-concern.
 */
@QuarkusTest
class CaseRoutingIT {

  @Inject DeadlineEscalator escalator;
  @Inject Scheduler scheduler;

  private static final String AREA = "E08000026";

  /** An example message from {@code schemas/<type>/examples/<file>}, on {@code caseRef}. */
  private static ObjectNode example(String type, String file, String caseRef) {
    try {
      ObjectNode msg =
          (ObjectNode)
              TestMessages.MAPPER.readTree(Path.of("schemas", type, "examples", file).toFile());
      msg.put("messageId", UUID.randomUUID().toString());
      msg.remove("recipients");
      msg.put("priority", "routine");
      msg.put("area", AREA);
      msg.put("caseRef", caseRef);
      ObjectNode basis = msg.putObject("legalBasis");
      basis.put("basis", "safeguarding-adult-at-risk");
      basis.put(
          "justification",
          "Test share: risk to an adult at risk; asking for consent would increase the risk.");
      return msg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode dropOut(String caseRef) {
    return example("programme-exit", "valid-dropped-out-risk-concern.json", caseRef);
  }

  private static ObjectNode absence(String caseRef, String sessionDate) {
    ObjectNode msg = example("attendance", "valid-missed-not-notified.json", caseRef);
    ((ObjectNode) msg.get("payload")).put("sessionDate", sessionDate);
    return msg;
  }

  private static JsonNode openedCopy(String agency, String messageId, String type) {
    List<JsonNode> items = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              items.clear();
              items.addAll(CaseCalls.inboxItems(agency, messageId, type));
              return !items.isEmpty();
            });
    return SealedCopies.open(agency, items.get(0));
  }

  private static JsonNode status(String sender, String messageId) {
    return TestMessages.readTree(
        given()
            .auth()
            .oauth2(Tokens.forClient(sender))
            .get("/api/v1/messages/" + messageId + "/status")
            .then()
            .statusCode(200)
            .extract()
            .asString());
  }

  private static List<String> agencies(JsonNode status) {
    List<String> out = new ArrayList<>();
    status.path("recipients").forEach(r -> out.add(r.path("agency").asText()));
    return out;
  }

  private static JsonNode inboxItem(String agency, String messageId, String type) {
    List<JsonNode> items = CaseCalls.inboxItems(agency, messageId, type);
    assertEquals(1, items.size(), agency);
    return items.get(0);
  }

  @Test
  void aDropOutReachesTheVictimsWorkerInAnotherAreaAtRaisedPriorityAndNotTheLocalService() {
    // Given a case in E08000026 whose victim's worker is demo2-iss (a refuge's service in
    // E08000025)
    String ref = newCaseRef();
    CaseCalls.opened("demo2-iss", ref, AREA, "demo-dvpp", "programme");
    // When the programme reports a drop-out at routine priority
    String id = CaseCalls.publish("demo-dvpp", dropOut(ref), 202);
    // Then demo2-iss gets it as a member, wherever it is; demo-iss's standing subscription does not
    // apply (the case has its partner-support member); the other types' subscriptions still do
    assertCopiesExactlyAt(id, Set.of("demo2-iss", "demo-cs", "demo-marac"));
    // and the victim's worker's copy is raised to urgent, with the deadline that brings; others not
    assertEquals(
        "urgent",
        openedCopy("demo2-iss", id, "programme-exit").path("message").path("priority").asText());
    assertEquals(
        "routine",
        openedCopy("demo-cs", id, "programme-exit").path("message").path("priority").asText());
    // the raised copy says so in its flags, the others carry none; demo2-iss was chosen as a member
    assertEquals(
        List.of("raised-priority"),
        texts(openedCopy("demo2-iss", id, "programme-exit").path("flags")));
    assertEquals(List.of(), texts(openedCopy("demo-cs", id, "programme-exit").path("flags")));
    assertEquals("case", deliveredVia(ref, id, "demo2-iss"));
    assertEquals("subscription", deliveredVia(ref, id, "demo-cs"));
    assertFalse(inboxItem("demo2-iss", id, "programme-exit").path("deadline").isMissingNode());
    assertTrue(inboxItem("demo-cs", id, "programme-exit").path("deadline").isMissingNode());
    // and the programme's status shows nothing of the case: not who supports the victim, nor where
    JsonNode status = status("demo-dvpp", id);
    assertEquals(List.of("demo-cs", "demo-marac"), agencies(status), status.toString());
    // nor does a fetch-notice: demo-cs's fetch is notified, demo2-iss's (fetched first) is not
    List<String> fetchedBy = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              fetchedBy.clear();
              for (JsonNode n : CaseCalls.inboxItems("demo-dvpp", id, "fetch-notice")) {
                fetchedBy.add(SealedCopies.open("demo-dvpp", n).path("fetchedBy").asText());
              }
              return fetchedBy.contains("demo-cs");
            });
    assertFalse(fetchedBy.contains("demo2-iss"), fetchedBy.toString());

    // When demo-iss joins the case as partner support too, and the programme reports another
    CaseCalls.post("demo2-iss", ref + "/members", member("demo-iss", "partner-support"))
        .then()
        .statusCode(200);
    String second = CaseCalls.publish("demo-dvpp", dropOut(ref), 202);
    // Then both partner-support members get it, both raised
    assertCopiesExactlyAt(second, Set.of("demo2-iss", "demo-iss", "demo-cs", "demo-marac"));
    assertEquals(
        "urgent",
        openedCopy("demo-iss", second, "programme-exit").path("message").path("priority").asText());
  }

  @Test
  void aProgrammeIsNotToldThatTheVictimsWorkerMissedADeadline() throws Exception {
    // Given the programme's drop-out on a case, raised to urgent for the victim's worker, demo2-iss
    String ref = newCaseRef();
    CaseCalls.opened("demo2-iss", ref, AREA, "demo-dvpp", "programme");
    String id = CaseCalls.publish("demo-dvpp", dropOut(ref), 202);
    assertCopiesExactlyAt(id, Set.of("demo2-iss", "demo-cs", "demo-marac"));
    Instant deadline =
        Instant.parse(
            inboxItem("demo2-iss", id, "programme-exit").path("deadline").asText().strip());
    scheduler.pause(DeadlineEscalator.SCHEDULE);
    try {
      // When her deadline passes unacknowledged and the hub looks for misses
      TestClocks.CLOCK.now = deadline.plusSeconds(1);
      for (int n = escalator.poll(); n > 0; n = escalator.poll()) {
        // every copy due by the moved clock, this test's and others'
      }
      // Then the miss is recorded and the MASH of the area is told
      assertTrue(
          CaseCalls.auditedActions(ref).contains("deadline-missed@demo2-iss"),
          CaseCalls.auditedActions(ref).toString());
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !CaseCalls.inboxItems("demo-mash", id, "deadline-escalation").isEmpty());
      // but the programme gets no deadline-missed notice, which would name her service
      assertEquals(List.of(), CaseCalls.inboxItems("demo-dvpp", id, "deadline-missed"));
    } finally {
      TestClocks.reset();
      scheduler.resume(DeadlineEscalator.SCHEDULE);
    }
  }

  @Test
  void leavingTheCaseEndsCaseDeliveryAtOnceAndAClosedCaseRefusesAllButAMembersReferral() {
    // Given a case with demo2-iss as partner support and demo-cs as children's services
    String ref = newCaseRef();
    CaseCalls.opened(
        "demo2-iss", ref, AREA, "demo-dvpp", "programme", "demo-cs", "childrens-services");
    // When demo2-iss leaves it, the next absence goes by the area's subscriptions again
    CaseCalls.delete("demo2-iss", ref + "/members/demo2-iss").then().statusCode(200);
    String after = CaseCalls.publish("demo-dvpp", absence(ref, "2027-02-01"), 202);
    assertCopiesExactlyAt(after, Set.of("demo-iss", "demo-cs"));
    // When demo-cs closes the case
    CaseCalls.post("demo-cs", ref + "/close", null).then().statusCode(200);
    // Then a message on it is refused with a 409 case-closed problem, and nothing is delivered
    ObjectNode refused = absence(ref, "2027-02-08");
    Response r =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-dvpp"))
            .contentType("application/json")
            .body(TestMessages.json(refused))
            .post("/api/v1/messages");
    assertEquals(409, r.statusCode(), r.asString());
    assertEquals("application/problem+json", r.contentType());
    assertTrue(TestMessages.readTree(r.asString()).path("type").asText().endsWith("case-closed"));
    // and a referral from an agency that is not a member (demo-iss, never on it) is accepted as on
    // no case, but does not reopen it
    ObjectNode outsider = TestMessages.example("referral");
    outsider.put("caseRef", ref);
    CaseCalls.publish("demo-iss", outsider, 202);
    assertEquals(
        "closed",
        TestMessages.readTree(CaseCalls.get("demo-cs", ref).asString()).path("status").asText());
    assertFalse(CaseCalls.auditedActions(ref).contains("case-reopened"));
    // but a member's referral on it is accepted and reopens it
    ObjectNode referral = TestMessages.example("referral");
    referral.put("caseRef", ref);
    CaseCalls.publish("demo-cs", referral, 202);
    assertEquals(
        "open",
        TestMessages.readTree(CaseCalls.get("demo-cs", ref).asString()).path("status").asText());
    assertTrue(CaseCalls.auditedActions(ref).contains("case-reopened"));
  }

  @Test
  void toAnAgencyThatIsNotAMemberTheCaseDoesNotExist() {
    // Given a case in E08000026 whose victim's worker is demo2-iss, in the refuge's area
    String ref = newCaseRef();
    CaseCalls.opened("demo2-iss", ref, AREA, "demo-dvpp", "programme");
    // When demo2-cs, on no case, sends a high-risk disclosure on that (guessed) caseRef, and the
    // same message on a caseRef never used
    ObjectNode onCase = example("risk-disclosure", "valid-high-risk-with-location.json", ref);
    ObjectNode onNone =
        example("risk-disclosure", "valid-high-risk-with-location.json", newCaseRef());
    String guessed = CaseCalls.publish("demo2-cs", onCase, 202);
    String control = CaseCalls.publish("demo2-cs", onNone, 202);
    // Then both route alike, by the area's subscriptions and the rules: the case's partner support
    // in the other area is not reached, and demo-iss's subscription applies as on no case
    Set<String> expected = Set.of("demo-dvpp", "demo-iss", "demo-cs", "demo-marac", "demo-mash");
    assertCopiesExactlyAt(guessed, expected);
    assertCopiesExactlyAt(control, expected);
    // and the sender's status shows the same recipients for the same reasons: no member, no "case"
    assertEquals(vias(status("demo2-cs", control)), vias(status("demo2-cs", guessed)));
    assertFalse(vias(status("demo2-cs", guessed)).containsValue("case"));
    // When the case is closed, a non-member's message on it is still not refused (a 409 would say
    // that a case with this caseRef exists and is closed)
    CaseCalls.post("demo2-iss", ref + "/close", null).then().statusCode(200);
    ObjectNode afterClose = example("risk-disclosure", "valid-high-risk-with-location.json", ref);
    CaseCalls.publish("demo2-cs", afterClose, 202);
  }

  @Test
  void aReferralOnACaseRefAnotherAgencyTookNeitherJoinsNorReopensItsCase() {
    // Given a case a squatter (demo2-cs) opened alone, under a caseRef demo-iss will use
    String ref = newCaseRef();
    CaseCalls.opened("demo2-cs", ref, AREA);
    // When demo-iss refers the perpetrator to demo-dvpp on that caseRef
    ObjectNode referral =
        TestMessages.withRecipients(TestMessages.example("referral"), "demo-dvpp");
    referral.put("caseRef", ref);
    String id = CaseCalls.publish("demo-iss", referral, 202);
    // Then the referral reaches demo-dvpp and not the squatter
    assertCopiesExactlyAt(id, Set.of("demo-dvpp"));
    // and the squatter's case is unchanged: demo-iss and demo-dvpp did not join it, and it is not
    // theirs to see
    JsonNode squatted = TestMessages.readTree(CaseCalls.get("demo2-cs", ref).asString());
    assertEquals(1, squatted.path("members").size(), squatted.toString());
    assertEquals(404, CaseCalls.get("demo-iss", ref).statusCode());
    assertEquals(404, CaseCalls.get("demo-dvpp", ref).statusCode());
    // When the squatter closes it, a referral from demo-iss does not reopen it
    CaseCalls.post("demo2-cs", ref + "/close", null).then().statusCode(200);
    ObjectNode again = TestMessages.withRecipients(TestMessages.example("referral"), "demo-dvpp");
    again.put("caseRef", ref);
    String second = CaseCalls.publish("demo-iss", again, 202);
    assertCopiesExactlyAt(second, Set.of("demo-dvpp"));
    assertEquals(
        "closed",
        TestMessages.readTree(CaseCalls.get("demo2-cs", ref).asString()).path("status").asText());
    assertEquals(
        List.of("case-opened", "case-member-added@demo2-cs", "case-closed"),
        CaseCalls.auditedActions(ref).stream().filter(a -> a.startsWith("case-")).toList());
  }

  @Test
  void absencesReportedByAProgrammeOffTheCaseRaiseNoAttendanceConcern() {
    // Given a case whose programme is demo-dvpp
    String ref = newCaseRef();
    CaseCalls.opened(
        "demo2-iss", ref, AREA, "demo-dvpp", "programme", "demo-cs", "childrens-services");
    // When another programme, not on the case, reports two unexplained absences on its caseRef
    List<String> ids = new ArrayList<>();
    for (String date : List.of("2027-03-01", "2027-03-08")) {
      String id = CaseCalls.publish("demo2-dvpp", absence(ref, date), 202);
      // (routed by the area's subscriptions, as on no case: not to the victim's worker)
      assertCopiesExactlyAt(id, Set.of("demo-iss", "demo-cs"));
      ids.add(id);
    }
    // Then no attendance-concern goes out (it would have committed with the second absence's
    // copies, which are visible now)
    assertNoAttendanceConcern(List.of("demo2-iss", "demo-cs", "demo-iss"), ids);
  }

  @Test
  void aProgrammesStatusShowsARecipientItNamedWhetherOrNotItIsOnTheCase() {
    // Given a case whose programme is demo-dvpp and whose victim's worker is demo2-iss
    String ref = newCaseRef();
    CaseCalls.opened("demo2-iss", ref, AREA, "demo-dvpp", "programme");
    // When the member programme, and a programme off the case, each name demo2-iss on its caseRef
    for (String programme : List.of("demo-dvpp", "demo2-dvpp")) {
      ObjectNode msg =
          TestMessages.withRecipients(
              example("risk-disclosure", "valid-high-risk-with-location.json", ref), "demo2-iss");
      String id = CaseCalls.publish(programme, msg, 202);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> DeliveryTopics.copiesOf("demo2-iss", id) >= 1);
      // Then its status lists demo2-iss as named, as it would for an agency off the case: hiding
      // a named recipient would tell the programme who is on the case
      assertEquals("explicit", vias(status(programme, id)).get("demo2-iss"), programme);
    }
  }

  /** None of {@code agencies} got an attendance-concern about any of {@code ids}. */
  private static void assertNoAttendanceConcern(List<String> agencies, List<String> ids) {
    for (String agency : agencies) {
      for (String id : ids) {
        assertTrue(CaseCalls.inboxItems(agency, id, AttendanceConcerns.KIND).isEmpty(), agency);
      }
    }
  }

  private static Map<String, String> vias(JsonNode status) {
    Map<String, String> via = new TreeMap<>();
    status
        .path("recipients")
        .forEach(r -> via.put(r.path("agency").asText(), r.path("via").asText()));
    return via;
  }

  @Test
  void aReferralWithAnUnknownCaseRefOpensTheCaseWithItsSenderAndRecipients() {
    // Given a caseRef the hub does not know
    String ref = newCaseRef();
    ObjectNode referral =
        TestMessages.withRecipients(TestMessages.example("referral"), "demo-dvpp", "demo2-iss");
    referral.put("caseRef", ref);
    // When demo-cs sends a referral on it
    String id = CaseCalls.publish("demo-cs", referral, 202);
    // Then the case is open, the sender and the recipients members in their agency types' roles
    JsonNode view =
        TestMessages.readTree(
            CaseCalls.get("demo-cs", ref).then().statusCode(200).extract().asString());
    assertEquals("open", view.path("status").asText());
    List<String> members = new ArrayList<>();
    view.path("members")
        .forEach(m -> members.add(m.path("agency").asText() + "=" + m.path("role").asText()));
    assertEquals(
        List.of("demo-cs=childrens-services", "demo-dvpp=programme", "demo2-iss=partner-support"),
        members);
    // and the opening was audited with the referral
    assertTrue(
        CaseCalls.auditedActions(ref)
            .containsAll(List.of("case-opened", "case-member-added@demo2-iss")));
    // and the referral itself went to its recipients; demo-iss's subscription does not apply (the
    // case has a partner-support member), demo-mash was not subscribed at routine priority
    assertCopiesExactlyAt(id, Set.of("demo-dvpp", "demo2-iss"));
  }

  @Test
  void twoUnexplainedAbsencesProduceExactlyOneAttendanceConcern() {
    // Given a case with the programme, the victim's worker (another area) and children's services
    String ref = newCaseRef();
    CaseCalls.opened(
        "demo2-iss", ref, AREA, "demo-dvpp", "programme", "demo-cs", "childrens-services");
    // When the programme reports three unexplained absences in a row, one after another
    List<String> ids = new ArrayList<>();
    for (String date : List.of("2027-01-06", "2027-01-13", "2027-01-20")) {
      String id = CaseCalls.publish("demo-dvpp", absence(ref, date), 202);
      assertCopiesExactlyAt(id, Set.of("demo2-iss", "demo-cs"));
      ids.add(id);
      // each absence reaches the victim's worker at urgent, though sent routine
      assertEquals(
          "urgent",
          openedCopy("demo2-iss", id, "attendance").path("message").path("priority").asText());
    }
    // Then partner support and children's services each get exactly one sealed, content-free
    // attendance-concern: two absences, from the first to the second session
    for (String agency : List.of("demo2-iss", "demo-cs")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> !CaseCalls.inboxItems(agency, ids.get(1), AttendanceConcerns.KIND).isEmpty());
      List<JsonNode> all = new ArrayList<>();
      ids.forEach(id -> all.addAll(CaseCalls.inboxItems(agency, id, AttendanceConcerns.KIND)));
      assertEquals(1, all.size(), agency + ": " + all);
      JsonNode notice = SealedCopies.open(agency, all.get(0));
      assertEquals(ref, notice.path("caseRef").asText());
      assertEquals(2, notice.path("unexplainedAbsences").asInt());
      assertEquals("2027-01-06", notice.path("firstSessionDate").asText());
      assertEquals("2027-01-13", notice.path("lastSessionDate").asText());
      assertEquals(
          Set.of(
              "notice",
              "caseRef",
              "unexplainedAbsences",
              "firstSessionDate",
              "lastSessionDate",
              "messageId"),
          fieldNames(notice));
    }
    // and neither the programme nor a service off the case gets one
    assertNoAttendanceConcern(List.of("demo-dvpp", "demo-iss"), ids);
  }

  @Test
  void aProgrammeOnTheCaseInAnotherAreaGetsCaseNewsOnlyThroughTheGuard() {
    // Given a case in E08000026 whose programme is demo2-dvpp, in the other area
    String ref = newCaseRef();
    CaseCalls.opened("demo-iss", ref, AREA, "demo2-dvpp", "programme");
    // When demo-iss discloses a risk with the victim's address and phone, a child's school and a
    // note
    ObjectNode msg = example("risk-disclosure", "valid-high-risk-with-location.json", ref);
    assertTrue(msg.at("/payload/victimAddress").isTextual(), "the example holds guarded data");
    String id = CaseCalls.publish("demo-iss", msg, 202);
    // Then the programme gets it as a member, across areas, and its copy holds none of them, names
    // none of them, and lists no other recipient; the local programme's subscription does not apply
    JsonNode copy = openedCopy("demo2-dvpp", id, "risk-disclosure");
    JsonNode payload = copy.path("message").path("payload");
    for (String guarded :
        List.of(
            "victimAddress",
            "victimPostcode",
            "victimPhone",
            "safeContactTimes",
            "childSchool",
            "note")) {
      assertTrue(payload.path(guarded).isMissingNode(), guarded);
    }
    assertTrue(copy.path("message").path("recipients").isMissingNode());
    assertEquals(List.of(), texts(copy.path("flags")), "a programme's copy carries no flags");
    for (JsonNode c : copy.path("removedCategories")) {
      assertFalse(
          Set.of("victim-location", "victim-contact", "child-location", "free-text")
              .contains(c.asText()),
          c.asText());
    }
    assertEquals(0, DeliveryTopics.copiesOf("demo-dvpp", id));
  }

  @Test
  void aHighRiskDisclosureOnACaseReachesTheMaracAndMashOfTheCasesAreaNotOfTheMessagesArea() {
    // Given a case in E08000026 (the programme's area) whose victim's worker is demo2-iss, in a
    // refuge's area, E08000025
    String ref = newCaseRef();
    CaseCalls.opened("demo2-iss", ref, AREA, "demo-dvpp", "programme");
    // When demo2-iss discloses high risk on the case, at routine priority, naming no one, and the
    // message gives its own area, E08000025
    ObjectNode msg = example("risk-disclosure", "valid-high-risk-with-location.json", ref);
    msg.put("area", "E08000025");
    String id = CaseCalls.publish("demo2-iss", msg, 202);
    // Then the rule brings in the MARAC and the MASH of the case's area, not those of the message's
    // area; the programme hears as a member (its local twin's subscription does not apply), and the
    // refuge area's children's services by its subscription
    assertCopiesExactlyAt(id, Set.of("demo-marac", "demo-mash", "demo-dvpp", "demo2-cs"));
    JsonNode status = status("demo2-iss", id);
    Map<String, String> via = new TreeMap<>();
    status
        .path("recipients")
        .forEach(r -> via.put(r.path("agency").asText(), r.path("via").asText()));
    assertEquals(
        Map.of(
            "demo-marac", "rule:high-risk-disclosure",
            "demo-mash", "rule:high-risk-disclosure",
            "demo-dvpp", "case",
            "demo2-cs", "subscription"),
        via,
        status.toString());
    // and the programme's copy went through the guard: no address, no flags, no other recipients
    JsonNode copy = openedCopy("demo-dvpp", id, "risk-disclosure");
    assertTrue(copy.path("message").path("payload").path("victimAddress").isMissingNode());
    assertTrue(copy.path("message").path("recipients").isMissingNode());
    assertEquals(List.of(), texts(copy.path("flags")));
  }

  @Test
  void aBatchJudgesAndRoutesEachMessageByItsOwnCase() {
    // Given an open case with demo2-iss (another area) on it, and a case demo-cs has closed
    String open = newCaseRef();
    CaseCalls.opened(
        "demo2-iss", open, AREA, "demo-dvpp", "programme", "demo-cs", "childrens-services");
    String closed = newCaseRef();
    CaseCalls.opened("demo2-iss", closed, AREA, "demo-cs", "childrens-services");
    CaseCalls.post("demo-cs", closed + "/close", null).then().statusCode(200);
    String none = newCaseRef();
    String opens = newCaseRef();
    ObjectNode onOpen = example("risk-disclosure", "valid-minimal.json", open);
    ObjectNode onClosed = example("risk-disclosure", "valid-minimal.json", closed);
    ObjectNode onNone = example("risk-disclosure", "valid-minimal.json", none);
    ObjectNode referral = TestMessages.example("referral");
    referral.put("caseRef", opens);
    ObjectNode again = example("risk-disclosure", "valid-minimal.json", open);
    var batch = TestMessages.MAPPER.createArrayNode();
    batch.add(onOpen).add(onClosed).add(onNone).add(referral).add(again);

    // When demo-cs publishes them in one batch
    JsonNode body =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-cs"))
                .contentType("application/json")
                .body(TestMessages.json(batch))
                .post("/api/v1/messages/batch")
                .then()
                .statusCode(200)
                .extract()
                .asString());

    // Then each message got its own case's answer: the closed case's refused, the others accepted
    List<Integer> statuses = new ArrayList<>();
    body.path("results").forEach(r -> statuses.add(r.path("status").asInt()));
    assertEquals(List.of(202, 409, 202, 202, 202), statuses, body.toString());
    assertEquals("urn:safehub:problem:case-closed", body.at("/results/1/problem/type").asText());
    // and each was routed by its own case: demo2-iss, in another area, is a recipient of both
    // messages on the open case and not of the one on no case (the status lists admission's
    // expected
    // recipients and the pipeline's decisions together, so this does not tell the two reads apart)
    assertTrue(agencies(status("demo-cs", id(onOpen))).contains("demo2-iss"));
    assertTrue(agencies(status("demo-cs", id(again))).contains("demo2-iss"));
    assertFalse(agencies(status("demo-cs", id(onNone))).contains("demo2-iss"));
    assertCopiesExactlyAt(id(again), Set.copyOf(agencies(status("demo-cs", id(again)))));
    // and the referral opened its case
    assertTrue(CaseCalls.auditedActions(opens).contains("case-opened"));
    assertFalse(CaseCalls.auditedActions(closed).contains("case-reopened"));
  }

  private static String id(ObjectNode msg) {
    return msg.get("messageId").asText();
  }

  /** The {@code via} of the audit's {@code delivered} event of {@code id}'s copy for {@code to}. */
  private static String deliveredVia(String caseRef, String id, String to) {
    JsonNode page =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-auditor"))
                .queryParam("caseRef", caseRef)
                .queryParam("action", "delivered")
                .queryParam("limit", 1000)
                .get("/api/v1/audit/events")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    for (JsonNode e : page.path("events")) {
      if (id.equals(e.path("messageId").asText()) && to.equals(e.path("recipient").asText())) {
        return e.path("detail").path("via").asText(null);
      }
    }
    return null;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> out = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
