package org.safehub.cases;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.validation.StrictJson;

/**
 * Reads the bodies of the case endpoints: bounded in size, strictly parsed (the same parser as
 * messages: duplicate keys, nesting, string lengths), no unknown keys, every field checked, each
 * fault reported with its JSON pointer and none echoing the caller's text.
 */
public final class CaseRequests {

  /** The largest body a case endpoint reads (a case of {@link #MAX_MEMBERS} fits easily). */
  public static final int MAX_BODY_BYTES = 16 * 1024;

  /** The most members a new case may list. */
  public static final int MAX_MEMBERS = 50;

  /** As the envelope's {@code caseRef}. */
  private static final Pattern CASE_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{3,63}");

  /** As the envelope's {@code area}: an ONS local-authority code. */
  private static final Pattern AREA = Pattern.compile("[EWSN][0-9]{8}");

  /** As the envelope's recipients. */
  private static final Pattern AGENCY = Pattern.compile("[a-z0-9][a-z0-9-]{1,63}");

  private CaseRequests() {}

  /** A member to add: agency and role. */
  public record Member(String agency, CaseRole role) {}

  /** Whether {@code caseRef} could be a case's reference (one that cannot is no case: 404). */
  public static boolean wellFormedCaseRef(String caseRef) {
    return caseRef != null && CASE_REF.matcher(caseRef).matches();
  }

  /** Whether {@code agency} could be an agency id. */
  public static boolean wellFormedAgency(String agency) {
    return agency != null && AGENCY.matcher(agency).matches();
  }

  /** {@code POST /cases}: {"caseRef", "area", "members": [{"agency", "role"}]}. */
  public static Cases.NewCase newCase(StrictJson json, byte[] body, AgencyDirectory agencies) {
    JsonNode root = parse(json, body);
    List<Violation> v = new ArrayList<>();
    onlyKeys(root, "", Set.of("caseRef", "area", "members"), v);
    String caseRef = text(root, "caseRef", v);
    if (caseRef != null && !CASE_REF.matcher(caseRef).matches()) {
      v.add(new Violation("/caseRef", "pattern", "must match ^[A-Za-z0-9][A-Za-z0-9-]{3,63}$"));
    }
    String area = text(root, "area", v);
    if (area != null && !AREA.matcher(area).matches()) {
      v.add(new Violation("/area", "pattern", "must be an ONS local-authority code"));
    }
    Map<String, CaseRole> members = new LinkedHashMap<>();
    JsonNode list = root.path("members");
    if (!list.isArray()) {
      v.add(new Violation("/members", "type", "must be an array of {agency, role}"));
    } else if (list.size() > MAX_MEMBERS) {
      v.add(new Violation("/members", "maxItems", "at most " + MAX_MEMBERS + " members"));
    } else {
      for (int i = 0; i < list.size(); i++) {
        Member m = member(list.get(i), "/members/" + i, agencies, v);
        if (m != null && members.putIfAbsent(m.agency(), m.role()) != null) {
          v.add(new Violation("/members/" + i + "/agency", "uniqueItems", "listed twice"));
        }
      }
    }
    refuseIf(v);
    return new Cases.NewCase(caseRef, area, members);
  }

  /**
   * {@code POST /cases/{caseRef}/members}: {"agency", "role"}, checked for form only. Whether the
   * agency exists and may hold the role is for {@link Cases#addMember} to say, after it has checked
   * the caller may change the case: a caller that is not a member must learn no agency id or type.
   */
  public static Member member(StrictJson json, byte[] body) {
    JsonNode root = parse(json, body);
    List<Violation> v = new ArrayList<>();
    Member m = member(root, "", null, v);
    refuseIf(v);
    return m;
  }

  private static Member member(
      JsonNode node, String at, AgencyDirectory agencies, List<Violation> v) {
    if (!node.isObject()) {
      v.add(new Violation(at, "type", "must be an object {agency, role}"));
      return null;
    }
    int before = v.size();
    onlyKeys(node, at, Set.of("agency", "role"), v);
    String agencyId = text(node, "agency", at, v);
    String roleName = text(node, "role", at, v);
    Agency agency = null;
    if (agencyId != null && agencies != null) {
      agency = wellFormedAgency(agencyId) ? agencies.find(agencyId).orElse(null) : null;
      if (agency == null) {
        v.add(
            new Violation(
                at + "/agency", "unknown-agency", "No agency with this id is registered."));
      }
    }
    CaseRole role = null;
    if (roleName != null) {
      try {
        role = CaseRole.parse(roleName);
      } catch (IllegalArgumentException e) {
        v.add(
            new Violation(
                at + "/role",
                "enum",
                "must be one of programme, partner-support, childrens-services, mash, marac, other"));
      }
    }
    if (agency != null && role != null && !role.fits(agency.type())) {
      v.add(
          new Violation(
              at + "/role",
              "role-not-permitted",
              "Agencies of type '" + agency.type() + "' may not hold this role."));
    }
    return v.size() == before ? new Member(agency == null ? agencyId : agency.id(), role) : null;
  }

  static HubProblem invalid(String pointer, String keyword, String message) {
    return problem(List.of(new Violation(pointer, keyword, message)));
  }

  private static JsonNode parse(StrictJson json, byte[] body) {
    if (body == null || body.length == 0) {
      throw invalid("", "required", "a JSON object is required");
    }
    if (body.length > MAX_BODY_BYTES) {
      throw HubProblem.of(
          413,
          "payload-too-large",
          "Request too large",
          "The body is larger than " + MAX_BODY_BYTES + " bytes.");
    }
    StrictJson.Parsed parsed = json.parse(body);
    if (parsed instanceof StrictJson.Parsed.Failed f) {
      throw new HubProblem(
          400,
          f.invalid().kind().code(),
          f.invalid().kind().title(),
          f.invalid().violations().size() + " violation(s); see 'violations'.",
          f.invalid().violations(),
          null);
    }
    JsonNode root = ((StrictJson.Parsed.Ok) parsed).node();
    if (!root.isObject()) {
      throw invalid("", "type", "must be a JSON object");
    }
    return root;
  }

  private static void onlyKeys(JsonNode node, String at, Set<String> allowed, List<Violation> v) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        // the key itself is the caller's text: not echoed
        v.add(new Violation(at, "additionalProperties", "unknown property"));
        return;
      }
    }
  }

  private static String text(JsonNode node, String field, List<Violation> v) {
    return text(node, field, "", v);
  }

  private static String text(JsonNode node, String field, String at, List<Violation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      v.add(new Violation(at + "/" + field, "required", "required"));
      return null;
    }
    if (!value.isTextual() || value.asText().length() > 64) {
      v.add(new Violation(at + "/" + field, "type", "must be a string of at most 64 characters"));
      return null;
    }
    return value.asText();
  }

  private static void refuseIf(List<Violation> v) {
    if (!v.isEmpty()) {
      throw problem(v);
    }
  }

  private static HubProblem problem(List<Violation> v) {
    return new HubProblem(
        400,
        "schema-violation",
        "Request does not match its schema",
        v.size() + " violation(s); see 'violations'.",
        v,
        null);
  }
}
