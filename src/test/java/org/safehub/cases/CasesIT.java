package org.safehub.cases;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.safehub.cases.CaseCalls.caseBody;
import static org.safehub.cases.CaseCalls.member;
import static org.safehub.cases.CaseCalls.newCaseRef;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The case endpoints on the real stack: who may open, read and change a case, every change audited,
 * and a case that does not exist for anyone but its members.
 */
@QuarkusTest
class CasesIT {

  private static final String AREA = "E08000026";

  private static JsonNode body(Response r) {
    return TestMessages.readTree(r.asString());
  }

  private static String members(JsonNode view) {
    StringBuilder b = new StringBuilder();
    for (JsonNode m : view.path("members")) {
      b.append(m.path("agency").asText()).append('=').append(m.path("role").asText()).append(' ');
    }
    return b.toString().trim();
  }

  @Test
  void openingACaseAnswers201WithItsMembersAndASecondOpeningIs409() {
    // Given a caseRef no one has used
    String ref = newCaseRef();
    // When demo2-iss (the victim's worker, in another area) opens it with the programme as a member
    Response created = CaseCalls.open("demo2-iss", caseBody(ref, AREA, "demo-dvpp", "programme"));
    // Then 201 with the case, the opener a member in its own type's role
    assertEquals(201, created.statusCode(), created.asString());
    JsonNode view = body(created);
    assertEquals(ref, view.path("caseRef").asText());
    assertEquals(AREA, view.path("area").asText());
    assertEquals("open", view.path("status").asText());
    assertEquals("demo-dvpp=programme demo2-iss=partner-support", members(view));
    assertTrue(created.header("Location").endsWith("/api/v1/cases/" + ref));
    // and opening it again is a 409 problem
    Response again = CaseCalls.open("demo-cs", caseBody(ref, AREA));
    assertEquals(409, again.statusCode());
    assertEquals("application/problem+json", again.contentType());
    assertTrue(body(again).path("type").asText().endsWith("case-exists"));
    // and the opening is audited, member by member
    assertTrue(
        CaseCalls.auditedActions(ref)
            .containsAll(
                List.of(
                    "case-opened", "case-member-added@demo-dvpp", "case-member-added@demo2-iss")));
  }

  @Test
  void aNonMemberGetsTheSame404ForAnExistingCaseAsForNone() {
    // Given a case with demo-dvpp as its programme and demo2-iss as partner support
    String ref = newCaseRef();
    assertEquals(
        201,
        CaseCalls.open("demo2-iss", caseBody(ref, AREA, "demo-dvpp", "programme")).statusCode());
    String none = newCaseRef();
    // When another programme (and a non-member service) probe it and a caseRef never used
    for (String prober : List.of("demo2-dvpp", "demo-iss")) {
      Response existing = CaseCalls.get(prober, ref);
      Response missing = CaseCalls.get(prober, none);
      // Then both are the same 404 problem, but for the path
      assertEquals(404, existing.statusCode());
      assertEquals(404, missing.statusCode());
      JsonNode a = body(existing);
      JsonNode b = body(missing);
      assertEquals(b.path("type"), a.path("type"));
      assertEquals(b.path("detail"), a.path("detail"));
      assertEquals(b.path("title"), a.path("title"));
      // and every change by a non-member is the same 404 too
      for (String path : List.of("/close", "/reopen")) {
        assertEquals(404, CaseCalls.post(prober, ref + path, null).statusCode());
        assertEquals(404, CaseCalls.post(prober, none + path, null).statusCode());
      }
      assertEquals(
          404, CaseCalls.post(prober, ref + "/members", member("demo-mash", "mash")).statusCode());
      assertEquals(404, CaseCalls.delete(prober, ref + "/members/demo-dvpp").statusCode());
      // whatever agency and role the body names: a non-member learns no agency id or type
      for (String named :
          List.of(member("no-such-agency", "other"), member("demo2-dvpp", "partner-support"))) {
        Response r = CaseCalls.post(prober, ref + "/members", named);
        assertEquals(404, r.statusCode(), named + " -> " + r.asString());
        assertEquals(b.path("type"), body(r).path("type"));
      }
    }
    // and the refusals are audited without the probed caseRef
    JsonNode refused =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-auditor"))
                .queryParam("agency", "demo2-dvpp")
                .queryParam("action", "request-refused")
                .queryParam("limit", 1000)
                .get("/api/v1/audit/events")
                .asString());
    assertTrue(refused.toString().contains("/api/v1/cases/{caseRef}"), refused.toString());
    assertFalse(refused.toString().contains(ref), "the probed caseRef is not recorded");
  }

  @Test
  void aProgrammeMemberSeesOnlyItselfAndMayNeitherCloseNorAddOrRemoveOthers() {
    // Given a case with demo-dvpp as its programme and two services in two areas
    String ref = newCaseRef();
    CaseCalls.opened(
        "demo2-iss", ref, AREA, "demo-dvpp", "programme", "demo-cs", "childrens-services");
    // When the programme reads the case
    JsonNode seen = body(CaseCalls.get("demo-dvpp", ref));
    // Then it sees its own membership only: not who supports the victim, nor where
    assertEquals("demo-dvpp=programme", members(seen));
    // and it may not close the case, reopen it once the professionals have closed it, add or
    // remove others (403 problems), nor open a case at all
    assertEquals(403, CaseCalls.post("demo-dvpp", ref + "/close", null).statusCode());
    assertEquals(200, CaseCalls.post("demo2-iss", ref + "/close", null).statusCode());
    assertEquals(403, CaseCalls.post("demo-dvpp", ref + "/reopen", null).statusCode());
    assertEquals(200, CaseCalls.post("demo2-iss", ref + "/reopen", null).statusCode());
    assertEquals(
        403,
        CaseCalls.post("demo-dvpp", ref + "/members", member("demo2-dvpp", "programme"))
            .statusCode());
    assertEquals(403, CaseCalls.delete("demo-dvpp", ref + "/members/demo-cs").statusCode());
    assertEquals(403, CaseCalls.open("demo-dvpp", caseBody(newCaseRef(), AREA)).statusCode());
    // refused before its body is read: the body's agencies are not checked for a programme
    for (String[] named :
        List.<String[]>of(
            new String[] {"no-such-agency", "other"}, new String[] {"demo-iss", "programme"})) {
      Response r = CaseCalls.open("demo-dvpp", caseBody(newCaseRef(), AREA, named));
      assertEquals(403, r.statusCode(), r.asString());
      assertTrue(body(r).path("type").asText().endsWith("case-not-permitted"), r.asString());
    }
    assertEquals("open", body(CaseCalls.get("demo2-iss", ref)).path("status").asText());
  }

  @Test
  void membersAddRemoveCloseAndReopenAndEachChangeIsAudited() {
    // Given a case opened by demo-cs
    String ref = newCaseRef();
    CaseCalls.opened("demo-cs", ref, AREA);
    // When it adds demo2-iss, then demo-marac, removes demo-marac, closes and reopens the case
    Response added =
        CaseCalls.post("demo-cs", ref + "/members", member("demo2-iss", "partner-support"));
    assertEquals(200, added.statusCode(), added.asString());
    assertEquals("demo-cs=childrens-services demo2-iss=partner-support", members(body(added)));
    CaseCalls.post("demo-cs", ref + "/members", member("demo-marac", "marac"))
        .then()
        .statusCode(200);
    Response removed = CaseCalls.delete("demo2-iss", ref + "/members/demo-marac");
    assertEquals(200, removed.statusCode());
    assertEquals("demo-cs=childrens-services demo2-iss=partner-support", members(body(removed)));
    Response closed = CaseCalls.post("demo2-iss", ref + "/close", null);
    assertEquals(200, closed.statusCode());
    assertEquals("closed", body(closed).path("status").asText());
    Response reopened = CaseCalls.post("demo-cs", ref + "/reopen", null);
    assertEquals(200, reopened.statusCode());
    assertEquals("open", body(reopened).path("status").asText());
    // Then every change is in the audit log, in order
    List<String> audited = CaseCalls.auditedActions(ref);
    assertEquals(
        List.of(
            "case-opened",
            "case-member-added@demo-cs",
            "case-member-added@demo2-iss",
            "case-member-added@demo-marac",
            "case-member-removed@demo-marac",
            "case-closed",
            "case-reopened"),
        audited);
  }

  @Test
  void aRoleMustFitTheAgencyTypeAndBodiesAreBounded() {
    String ref = newCaseRef();
    CaseCalls.opened("demo-iss", ref, AREA);
    // a perpetrator programme only ever as programme, a service never as programme
    for (String bad :
        List.of(
            member("demo-dvpp", "partner-support"),
            member("demo-dvpp", "other"),
            member("demo-cs", "programme"),
            member("demo-cs", "marac"),
            member("nobody-here", "other"),
            member("demo-cs", "boss"),
            "{\"agency\":\"demo-cs\",\"role\":\"other\",\"extra\":1}",
            "[1,2]",
            "{\"agency\":\"demo-cs\",\"agency\":\"demo-mash\",\"role\":\"other\"}")) {
      Response r = CaseCalls.post("demo-iss", ref + "/members", bad);
      assertEquals(400, r.statusCode(), bad + " -> " + r.asString());
      assertEquals("application/problem+json", r.contentType());
    }
    // a member in a role its type may hold is fine ("other" fits any service)
    CaseCalls.post("demo-iss", ref + "/members", member("demo-cs", "other")).then().statusCode(200);
    // an opening listing a programme in another role is refused whole
    Response wrong =
        CaseCalls.open("demo-iss", caseBody(newCaseRef(), AREA, "demo-dvpp", "partner-support"));
    assertEquals(400, wrong.statusCode());
    assertTrue(wrong.asString().contains("/members/0/role"), wrong.asString());
    // and a body over 16 KiB is 413
    String big = caseBody(newCaseRef(), AREA) + " ".repeat(CaseRequests.MAX_BODY_BYTES);
    assertEquals(413, CaseCalls.open("demo-iss", big).statusCode());
    // and a case keeps at least one member
    String lone = newCaseRef();
    CaseCalls.opened("demo-iss", lone, AREA);
    assertEquals(409, CaseCalls.delete("demo-iss", lone + "/members/demo-iss").statusCode());
  }
}
