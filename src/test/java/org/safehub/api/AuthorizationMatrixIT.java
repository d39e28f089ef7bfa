package org.safehub.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.DemoAgencies;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Every endpoint x every role x own / other agency's resources, as an explicit table (written from
 * the README's contract, not computed from the code under test), on the real components. OWASP
 * API1: an agency never reads or touches another agency's status, copies or keys; another agency's
 * message looks exactly like one that does not exist (404).
 *
 * <p>Resources: M_ISS is a marac-referral published by demo-iss (routed to demo-marac only); M_CS
 * is a referral published by demo-cs (routed to demo-dvpp and demo-iss); NO_MSG is a message id
 * nobody used; NO_KEY a certificate key id that does not exist. Operator calls that would change
 * shared state are made only where harmless: a malformed certificate (400), a nonexistent key id
 * (404), reinstating an active agency (200), suspending a nonexistent agency (404). Suspending a
 * real agency as hub-admin is left out (every demo agency is used by other tests; SealingIT covers
 * it).
 */
@QuarkusTest
class AuthorizationMatrixIT {

  /** Columns: who calls. NONE sends no token. */
  private static final String[] CALLERS = {
    "NONE", "demo-iss", "demo-cs", "demo-auditor", "demo-admin"
  };

  /**
   * method, path, then the expected answer for each caller in {@link #CALLERS} order: a status, or
   * status:problem-code where the code is not the default (401 unauthenticated, 403 forbidden, 404
   * not-found); "-" means the call is not made.
   */
  private static final String[][] TABLE = {
    // method  path                                                            NONE   iss    cs
    // auditor admin
    {"POST", "/api/v1/messages", "401", "202", "202", "403", "403"},
    {"GET", "/api/v1/messages/{M_ISS}/status", "401", "200", "404", "403", "403"},
    {"GET", "/api/v1/messages/{M_CS}/status", "401", "404", "200", "403", "403"},
    {"GET", "/api/v1/messages/{NO_MSG}/status", "401", "404", "404", "403", "403"},
    {"GET", "/api/v1/inbox", "401", "200", "200", "403", "403"},
    {"GET", "/api/v1/inbox/stream", "401", "200", "200", "403", "403"},
    {"POST", "/api/v1/inbox/{M_ISS}/ack", "401", "404", "404", "403", "403"},
    {"POST", "/api/v1/inbox/{M_CS}/ack", "401", "200", "404", "403", "403"},
    {"POST", "/api/v1/inbox/{NO_MSG}/ack", "401", "404", "404", "403", "403"},
    {"GET", "/api/v1/keys/hub", "401", "200", "200", "200", "200"},
    {"GET", "/api/v1/keys/own", "401", "200", "200", "403", "403"},
    // parameter pollution: naming another agency in the query changes nothing
    {"GET", "/api/v1/keys/own?agencyId=demo-cs&agency=demo-cs", "401", "200", "200", "403", "403"},
    {
      "GET",
      "/api/v1/inbox?agency=demo-cs&agencyId=demo-iss&limit=50",
      "401",
      "200",
      "200",
      "403",
      "403"
    },
    {
      "GET",
      "/api/v1/messages/{M_ISS}/status?agency=demo-iss&sender=demo-iss",
      "401",
      "200",
      "404",
      "403",
      "403"
    },
    {"GET", "/api/v1/admin/agencies", "401", "403", "403", "403", "200"},
    {"GET", "/api/v1/admin/agencies/demo-iss", "401", "403", "403", "403", "200"},
    {"GET", "/api/v1/admin/agencies/demo-cs", "401", "403", "403", "403", "200"},
    {"GET", "/api/v1/admin/agencies/no-such-agency", "401", "403", "403", "403", "404"},
    {
      "POST",
      "/api/v1/admin/agencies/demo-iss/certificates",
      "401",
      "403",
      "403",
      "403",
      "400:invalid-certificate"
    },
    {
      "POST",
      "/api/v1/admin/agencies/demo-cs/certificates",
      "401",
      "403",
      "403",
      "403",
      "400:invalid-certificate"
    },
    {
      "POST",
      "/api/v1/admin/agencies/demo-iss/certificates/{NO_KEY}/revoke",
      "401",
      "403",
      "403",
      "403",
      "404"
    },
    {
      "POST",
      "/api/v1/admin/agencies/demo-cs/certificates/{NO_KEY}/revoke",
      "401",
      "403",
      "403",
      "403",
      "404"
    },
    {"POST", "/api/v1/admin/agencies/demo-iss/suspend", "401", "403", "403", "403", "-"},
    {"POST", "/api/v1/admin/agencies/demo-cs/suspend", "401", "403", "403", "403", "-"},
    {"POST", "/api/v1/admin/agencies/no-such-agency/suspend", "401", "403", "403", "403", "404"},
    {"POST", "/api/v1/admin/agencies/demo-iss/reinstate", "401", "403", "403", "403", "200"},
    {"POST", "/api/v1/admin/agencies/demo-cs/reinstate", "401", "403", "403", "403", "200"},
    // the auditor's API: auditors only, agencies never (not even about themselves), operators
    // neither
    {"GET", "/api/v1/audit/events", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/events?agency=demo-iss", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/events?agency=demo-cs", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/shared-without-consent", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/checkpoints/latest", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/events/0/inclusion", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/consistency?from=1", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/export?from=0&to=0", "401", "403", "403", "200", "403"},
    {"GET", "/api/v1/audit/public-key", "401", "403", "403", "200", "403"},
  };

  private static final String MALFORMED_PEM =
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

  @TestHTTPResource("/")
  URL hub;

  @Test
  void everyEndpointTimesEveryRoleTimesOwnAndOtherAgencysResources() throws Exception {
    // Given a message of each agency, delivered
    String mIss = publish("demo-iss", TestMessages.example("marac-referral"));
    String mCs = publish("demo-cs", TestMessages.example("referral"));
    awaitState("demo-iss", mIss, "demo-marac", "delivered");
    awaitState("demo-cs", mCs, "demo-iss", "delivered");
    // the log signs a checkpoint within safehub.audit.checkpoint-interval of events arriving
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                given()
                        .auth()
                        .oauth2(Tokens.forClient("demo-auditor"))
                        .get("/api/v1/audit/checkpoints/latest")
                        .statusCode()
                    == 200);
    String noMsg = UUID.randomUUID().toString();
    String noKey = "no-such-key-" + UUID.randomUUID();

    List<String> failures = new ArrayList<>();
    int calls = 0;
    try {
      for (String[] row : TABLE) {
        String method = row[0];
        String path =
            row[1]
                .replace("{M_ISS}", mIss)
                .replace("{M_CS}", mCs)
                .replace("{NO_MSG}", noMsg)
                .replace("{NO_KEY}", noKey);
        for (int col = 0; col < CALLERS.length; col++) {
          String cell = row[col + 2];
          if (cell.equals("-")) {
            continue;
          }
          calls++;
          String caller = CALLERS[col];
          String fault = call(method, path, caller, cell);
          if (fault != null) {
            failures.add(method + " " + path + " as " + caller + ": " + fault);
          }
        }
      }
    } finally {
      // in case a non-admin's suspend was wrongly honoured, do not leave the agency suspended for
      // other tests
      for (String agency : List.of("demo-iss", "demo-cs")) {
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-admin"))
            .post("/api/v1/admin/agencies/" + agency + "/reinstate");
      }
    }
    System.out.println(
        "AuthorizationMatrixIT: " + calls + " calls, " + failures.size() + " failures");
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " of "
            + calls
            + " calls answered wrongly:\n  "
            + String.join("\n  ", failures));

    // Then object level: inboxes hold only copies routed to their agency
    List<JsonNode> csInbox = inbox("demo-cs");
    List<JsonNode> issInbox = inbox("demo-iss");
    Set<String> csIds = ids(csInbox);
    Set<String> issIds = ids(issInbox);
    assertFalse(
        csIds.contains(mIss),
        "demo-cs's inbox holds a copy of demo-iss's marac-referral, which was not routed to it");
    assertFalse(issIds.contains(mIss), "the sender's own inbox holds no copy of its message");
    assertTrue(issIds.contains(mCs), "demo-iss's inbox holds its copy of demo-cs's referral");
    assertFalse(csIds.contains(mCs), "the sender's own inbox holds no copy of its message");
    assertTrue(
        ids(inbox("demo-marac")).contains(mIss), "the recipient's inbox holds the marac-referral");
    // every copy in an inbox is sealed for that agency and addressed to it (opens with its key
    // only)
    for (JsonNode item : csInbox) {
      JsonNode opened = SealedCopies.open("demo-cs", item);
      if (!isNotice(item)) {
        assertEquals(
            "demo-cs",
            opened.path("recipient").asText(),
            "copy " + item.path("messageId") + " in demo-cs's inbox");
      }
    }
    for (JsonNode item : issInbox) {
      JsonNode opened = SealedCopies.open("demo-iss", item);
      if (!isNotice(item)) {
        assertEquals(
            "demo-iss",
            opened.path("recipient").asText(),
            "copy " + item.path("messageId") + " in demo-iss's inbox");
      }
    }
    assertNoticesAreAboutOwnMessages("demo-cs", csInbox);
    assertNoticesAreAboutOwnMessages("demo-iss", issInbox);
  }

  /** Makes the call and checks the answer against {@code cell}; returns what was wrong, or null. */
  private String call(String method, String path, String caller, String cell) throws Exception {
    String[] expected = cell.split(":");
    int status = Integer.parseInt(expected[0]);
    String code =
        expected.length > 1
            ? expected[1]
            : switch (status) {
              case 400 -> "schema-violation";
              case 401 -> "unauthenticated";
              case 403 -> "forbidden";
              case 404 -> "not-found";
              default -> null;
            };
    if (path.equals("/api/v1/inbox/stream")) {
      return stream(path, caller, status, code);
    }
    RequestSpecification req = given().redirects().follow(false);
    if (!caller.equals("NONE")) {
      req = req.auth().oauth2(Tokens.forClient(caller));
    }
    if (method.equals("POST") && path.equals("/api/v1/messages")) {
      req =
          req.contentType("application/json")
              .body(
                  TestMessages.json(TestMessages.example("referral"))
                      .getBytes(StandardCharsets.UTF_8));
    } else if (method.equals("POST") && path.endsWith("/certificates")) {
      req =
          req.contentType("application/x-pem-file")
              .body(MALFORMED_PEM.getBytes(StandardCharsets.US_ASCII));
    }
    Response r = method.equals("GET") ? req.get(path) : req.post(path);
    String body = r.asString();
    if (r.statusCode() != status) {
      return "HTTP " + r.statusCode() + ", expected " + status + " (body " + abbreviate(body) + ")";
    }
    String bare = path.split("\\?", -1)[0];
    if (status >= 400) {
      return problemFault(r.contentType(), body, status, code, bare, r.header("WWW-Authenticate"));
    }
    return successFault(bare, caller, r);
  }

  /** What is wrong with a refusal's problem document, or null. */
  private static String problemFault(
      String contentType, String body, int status, String code, String path, String challenge) {
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json")) {
      return "refusal "
          + status
          + " is not application/problem+json but "
          + contentType
          + " (body "
          + abbreviate(body)
          + ")";
    }
    JsonNode p = TestMessages.readTree(body);
    List<String> wrong = new ArrayList<>();
    if (!("urn:safehub:problem:" + code).equals(p.path("type").asText())) {
      wrong.add("type " + p.path("type") + " (expected urn:safehub:problem:" + code + ")");
    }
    if (!p.path("title").isTextual() || p.path("title").asText().isBlank()) {
      wrong.add("no title");
    }
    if (p.path("status").asInt(-1) != status) {
      wrong.add("status member " + p.path("status"));
    }
    if (!path.equals(p.path("instance").asText())) {
      wrong.add("instance " + p.path("instance") + " (expected " + path + ")");
    }
    if (status == 401 && (challenge == null || !challenge.startsWith("Bearer"))) {
      wrong.add("no 'WWW-Authenticate: Bearer' challenge");
    }
    return wrong.isEmpty()
        ? null
        : "problem document: " + String.join(", ", wrong) + " in " + abbreviate(body);
  }

  /** Checks the content of a success for the object-level rules: only the caller's own things. */
  private static String successFault(String path, String caller, Response r) {
    if (path.equals("/api/v1/audit/export")) {
      return String.valueOf(r.contentType()).startsWith("application/x-ndjson")
              && !r.asString().isBlank()
          ? null
          : "export is not JSON Lines: " + r.contentType();
    }
    if (path.equals("/api/v1/audit/public-key")) {
      return r.asString().contains("PUBLIC KEY")
          ? null
          : "no PEM public key: " + abbreviate(r.asString());
    }
    JsonNode b = TestMessages.readTree(r.asString());
    if (path.equals("/api/v1/audit/events")
        || path.equals("/api/v1/audit/shared-without-consent")) {
      return b.path("events").isArray() && b.has("nextAfter")
          ? null
          : "audit page without events/nextAfter: " + abbreviate(r.asString());
    }
    if (path.equals("/api/v1/audit/checkpoints/latest")) {
      return b.isObject() && b.size() > 0 ? null : "empty checkpoint";
    }
    if (path.endsWith("/inclusion") || path.equals("/api/v1/audit/consistency")) {
      return b.path("path").isArray() ? null : "proof without a path: " + abbreviate(r.asString());
    }
    if (path.endsWith("/status")) {
      return caller.equals(b.path("sender").asText()) && path.contains(b.path("messageId").asText())
          ? null
          : "status of a message the caller did not send, or of another message: "
              + abbreviate(r.asString());
    }
    if (path.equals("/api/v1/keys/own")) {
      if (!b.isArray() || b.isEmpty()) {
        return "keys/own is not a non-empty list: " + abbreviate(r.asString());
      }
      for (JsonNode c : b) {
        if (!caller.equals(c.path("agencyId").asText())) {
          return "keys/own lists another agency's certificate: " + c;
        }
      }
      return null;
    }
    if (path.equals("/api/v1/keys/hub")) {
      return b.path("certificate").asText().contains("BEGIN CERTIFICATE")
              && b.path("verificationKey").asText().contains("PUBLIC KEY")
          ? null
          : "keys/hub lacks the certificate or verification key";
    }
    if (path.equals("/api/v1/admin/agencies")) {
      Set<String> ids = new HashSet<>();
      b.forEach(a -> ids.add(a.path("id").asText()));
      // every agency agencies.yaml registers, in both demo areas
      return ids.containsAll(DemoAgencies.ids()) ? null : "agency list incomplete: " + ids;
    }
    if (path.startsWith("/api/v1/admin/agencies/") && path.endsWith("/reinstate")) {
      String agency = path.split("/", -1)[5];
      return agency.equals(b.path("agencyId").asText())
              && "active".equals(b.path("status").asText())
          ? null
          : "reinstate answered " + b;
    }
    if (path.startsWith("/api/v1/admin/agencies/")) {
      String agency = path.split("/", -1)[5];
      return agency.equals(b.path("id").asText()) && b.path("certificates").isArray()
          ? null
          : "agency detail answered " + abbreviate(r.asString());
    }
    if (path.equals("/api/v1/inbox")) {
      if (!b.path("items").isArray()) {
        return "inbox page has no items list";
      }
      // every item on the page is sealed for the caller; every copy of a message is addressed to it
      for (JsonNode item : b.path("items")) {
        try {
          JsonNode opened = SealedCopies.open(caller, item);
          String recipient = opened.path("recipient").asText();
          if (!isNotice(item) && !caller.equals(recipient)) {
            return "inbox holds a copy addressed to " + recipient + ": " + item.path("messageId");
          }
        } catch (AssertionError e) {
          return "inbox holds a copy the caller cannot open: "
              + item.path("messageId")
              + " ("
              + e.getMessage()
              + ")";
        }
      }
      return null;
    }
    if (path.endsWith("/ack")) {
      return "acknowledged".equals(b.path("state").asText())
              && path.contains(b.path("messageId").asText())
          ? null
          : "ack answered " + b;
    }
    if (path.equals("/api/v1/messages")) {
      return r.statusCode() == 202 && b.path("messageId").isTextual()
          ? null
          : "publish answered " + b;
    }
    return null;
  }

  /** The live stream: only the status line (and a refusal's body) matters here. */
  private String stream(String path, String caller, int status, String code) throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(hub.toString().replaceAll("/$", "") + path))
            .header("Accept", "text/event-stream");
    if (!caller.equals("NONE")) {
      b.header("Authorization", "Bearer " + Tokens.forClient(caller));
    }
    HttpResponse<InputStream> r =
        http.sendAsync(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream())
            .get(30, TimeUnit.SECONDS);
    try (InputStream in = r.body()) {
      if (r.statusCode() != status) {
        return "HTTP " + r.statusCode() + ", expected " + status;
      }
      if (status >= 400) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return problemFault(
            r.headers().firstValue("Content-Type").orElse(null),
            body,
            status,
            code,
            path,
            r.headers().firstValue("WWW-Authenticate").orElse(null));
      }
      String ct = r.headers().firstValue("Content-Type").orElse("");
      return ct.startsWith("text/event-stream") ? null : "stream Content-Type " + ct;
    }
  }

  private static String publish(String client, ObjectNode msg) {
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

  private static void awaitState(String sender, String id, String recipient, String state) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
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
              for (JsonNode r : st.path("recipients")) {
                if (recipient.equals(r.path("agency").asText())
                    && state.equals(r.path("state").asText())) {
                  return true;
                }
              }
              return false;
            });
  }

  /** Every item of the agency's inbox. */
  private static List<JsonNode> inbox(String agency) {
    List<JsonNode> items = new ArrayList<>();
    String cursor = null;
    while (true) {
      RequestSpecification req =
          given().auth().oauth2(Tokens.forClient(agency)).queryParam("limit", 500);
      if (cursor != null) {
        req = req.queryParam("after", cursor);
      }
      JsonNode page =
          TestMessages.readTree(
              req.get("/api/v1/inbox").then().statusCode(200).extract().asString());
      if (page.path("items").isEmpty()) {
        return items;
      }
      page.path("items").forEach(items::add);
      cursor = page.path("nextCursor").asText();
    }
  }

  /**
   * Ids of the message copies (not the hub's notices, which carry the id of the message they are
   * about).
   */
  private static Set<String> ids(List<JsonNode> items) {
    Set<String> ids = new HashSet<>();
    items.stream().filter(i -> !isNotice(i)).forEach(i -> ids.add(i.path("messageId").asText()));
    return ids;
  }

  /**
   * A content-free notice from the hub itself (sender "safehub"): fetch notices, consent-withdrawal
   * notices.
   */
  private static boolean isNotice(JsonNode item) {
    return "safehub".equals(item.path("sender").asText());
  }

  /**
   * A notice in an agency's inbox is about a message that agency sent (a fetch notice: status 200
   * for it) or one it holds a copy of (a consent-withdrawal notice); never about another agency's
   * business.
   */
  private static void assertNoticesAreAboutOwnMessages(String agency, List<JsonNode> items) {
    Set<String> copies = ids(items);
    for (JsonNode item : items) {
      if (!isNotice(item)) {
        continue;
      }
      String about = item.path("messageId").asText();
      JsonNode opened = SealedCopies.open(agency, item);
      int status =
          given()
              .auth()
              .oauth2(Tokens.forClient(agency))
              .get("/api/v1/messages/" + about + "/status")
              .statusCode();
      assertTrue(
          status == 200 || copies.contains(about),
          agency
              + "'s inbox holds a "
              + item.path("type").asText()
              + " notice about "
              + about
              + ", which it neither sent nor received: "
              + opened);
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
