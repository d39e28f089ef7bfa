package org.safehub.cases;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/** The case endpoints and the inbox, as an agency's system calls them (tests only). */
final class CaseCalls {

  private CaseCalls() {}

  static String newCaseRef() {
    return "CASE-T-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {"caseRef", "area", "members": [{"agency", "role"}, ...]} from agency/role pairs. */
  static String caseBody(String caseRef, String area, String... agencyRolePairs) {
    ObjectNode body = TestMessages.MAPPER.createObjectNode();
    body.put("caseRef", caseRef);
    body.put("area", area);
    ArrayNode members = body.putArray("members");
    for (int i = 0; i < agencyRolePairs.length; i += 2) {
      members.addObject().put("agency", agencyRolePairs[i]).put("role", agencyRolePairs[i + 1]);
    }
    return TestMessages.json(body);
  }

  static Response open(String as, String body) {
    return given()
        .auth()
        .oauth2(Tokens.forClient(as))
        .contentType("application/json")
        .body(body)
        .post("/api/v1/cases");
  }

  /** Opens a case as {@code as} (see {@link #caseBody}) and checks it was opened (201). */
  static void opened(String as, String caseRef, String area, String... agencyRolePairs) {
    open(as, caseBody(caseRef, area, agencyRolePairs)).then().statusCode(201);
  }

  static Response get(String as, String caseRef) {
    return given().auth().oauth2(Tokens.forClient(as)).get("/api/v1/cases/" + caseRef);
  }

  static Response post(String as, String path, String body) {
    var req = given().auth().oauth2(Tokens.forClient(as));
    if (body != null) {
      req.contentType("application/json").body(body);
    }
    return req.post("/api/v1/cases/" + path);
  }

  static Response delete(String as, String path) {
    return given().auth().oauth2(Tokens.forClient(as)).delete("/api/v1/cases/" + path);
  }

  static String member(String agency, String role) {
    return "{\"agency\":\"" + agency + "\",\"role\":\"" + role + "\"}";
  }

  static String publish(String as, ObjectNode msg, int status) {
    given()
        .auth()
        .oauth2(Tokens.forClient(as))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(status);
    return msg.get("messageId").asText();
  }

  /** Every inbox item of {@code agency} about {@code messageId} of {@code type}. */
  static List<JsonNode> inboxItems(String agency, String messageId, String type) {
    List<JsonNode> out = new ArrayList<>();
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
        return out;
      }
      for (JsonNode item : page.path("items")) {
        if ((messageId == null || messageId.equals(item.path("messageId").asText()))
            && type.equals(item.path("type").asText())) {
          out.add(item);
        }
      }
      cursor = page.path("nextCursor").asText();
    }
  }

  /** The audit events (action@recipient) about a case, as the auditor reads them, but queries. */
  static List<String> auditedActions(String caseRef) {
    JsonNode page =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-auditor"))
                .queryParam("caseRef", caseRef)
                .queryParam("limit", 1000)
                .get("/api/v1/audit/events")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    List<String> out = new ArrayList<>();
    for (JsonNode e : page.path("events")) {
      if ("audit-queried".equals(e.path("action").asText())) {
        continue; // the auditor's own earlier queries about the case
      }
      String recipient = e.path("recipient").asText("");
      out.add(e.path("action").asText() + (recipient.isEmpty() ? "" : "@" + recipient));
    }
    return out;
  }
}
