package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyType;

/**
 * Free text under another name: prose can carry anything (an address, a school), so a field that
 * holds prose must be tagged {@code free-text}, which never reaches a perpetrator programme. A
 * free-form string (no {@code enum}, {@code pattern}, {@code format} or {@code const}) that may be
 * longer than 100 characters is prose unless it is on the reviewed list below, with the reason it
 * may keep its category.
 */
class FreeTextUnderAnotherNameTest {

  private static final Path SCHEMAS = Path.of("schemas");
  private static final int SHORT = 100;

  /**
   * The reviewed exceptions: schema folder and JSON pointer of the string's declaration in the
   * schema file, and why it may keep its category. A new entry needs a reason a reviewer accepts.
   */
  static final Map<String, String> REVIEWED = new LinkedHashMap<>();

  static {
    String name =
        "a person's name (up to 200 characters for long and multi-part names): identity, as the brief allows";
    REVIEWED.put(
        "referral#/properties/perpetrator/properties/fullName",
        name + "; the programme's own client");
    REVIEWED.put(
        "risk-disclosure#/properties/perpetratorName", name + "; the programme's own client");
    REVIEWED.put(
        "child-protection-alert#/properties/childName",
        name + "; the type never reaches a programme (routing)");
    REVIEWED.put(
        "consent-change#/properties/recordedBy",
        name + " (the worker who recorded it); the type never reaches a programme (routing)");
    String guarded =
        " is guarded by the safety guard, like free-text: it never reaches a programme, and the policy gives it to no agency type that free-text does not reach";
    REVIEWED.put(
        "referral#/properties/victim/properties/address", "an address: victim-location" + guarded);
    REVIEWED.put(
        "marac-referral#/properties/victimAddress", "an address: victim-location" + guarded);
    REVIEWED.put(
        "risk-disclosure#/properties/victimAddress", "an address: victim-location" + guarded);
    REVIEWED.put(
        "referral#/properties/victim/properties/safeContactTimes",
        "when the victim can be reached safely: victim-contact" + guarded);
    REVIEWED.put(
        "marac-referral#/properties/safeContactTimes",
        "when the victim can be reached safely: victim-contact" + guarded);
    REVIEWED.put(
        "risk-disclosure#/properties/safeContactTimes",
        "when the victim can be reached safely: victim-contact" + guarded);
    REVIEWED.put(
        "referral#/properties/children/properties/school",
        "a school's name: child-location" + guarded);
    REVIEWED.put(
        "child-protection-alert#/properties/childAddress",
        "a child's address: child-location" + guarded);
    REVIEWED.put(
        "child-protection-alert#/properties/childSchool",
        "a school's name: child-location" + guarded);
    REVIEWED.put(
        "risk-disclosure#/properties/childSchool", "a school's name: child-location" + guarded);
  }

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void everyLongFreeFormStringIsTaggedFreeTextOrReviewed() throws IOException {
    List<String> prose = new ArrayList<>();
    for (Map.Entry<String, JsonNode> f : freeFormLongStrings().entrySet()) {
      String category = f.getValue().path(CategoryMap.TAG).asText("(none)");
      if (!category.equals(DataCategory.FREE_TEXT.wire()) && !REVIEWED.containsKey(f.getKey())) {
        prose.add(
            f.getKey()
                + " (maxLength "
                + f.getValue().path("maxLength").asText("none")
                + ", tagged "
                + category
                + ")");
      }
    }
    assertTrue(
        prose.isEmpty(),
        "free-form strings over "
            + SHORT
            + " characters that are not tagged free-text: tag them free-text, bound them to "
            + SHORT
            + " characters, constrain them (enum, pattern, format), or add them to the reviewed list with a reason: "
            + prose);
  }

  @Test
  void everyReviewedExceptionStillExistsAndIsStillAnException() throws IOException {
    Map<String, JsonNode> found = freeFormLongStrings();
    Set<String> stale = new TreeSet<>();
    for (String key : REVIEWED.keySet()) {
      JsonNode schema = found.get(key);
      if (schema == null
          || schema.path(CategoryMap.TAG).asText().equals(DataCategory.FREE_TEXT.wire())) {
        stale.add(key);
      }
    }
    assertTrue(
        stale.isEmpty(),
        "reviewed exceptions that no longer match a long free-form non-free-text string (remove them): "
            + stale);
  }

  @Test
  void everyReviewedExceptionThatIsNotANameIsGuardedLikeFreeText() throws IOException {
    SharingPolicy policy = Fixtures.shippedPolicy();
    Map<String, JsonNode> found = freeFormLongStrings();
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> e : REVIEWED.entrySet()) {
      DataCategory c =
          DataCategory.ofKnown(found.get(e.getKey()).path(CategoryMap.TAG).asText())
              .orElse(DataCategory.UNTAGGED);
      if (c == DataCategory.IDENTITY) {
        continue;
      }
      boolean guarded = SafetyGuard.NEVER_TO_PROGRAMME.contains(c);
      for (AgencyType agencyType : policy.agencyTypes()) {
        if (policy.allowed(agencyType).contains(c)
            && !policy.allowed(agencyType).contains(DataCategory.FREE_TEXT)) {
          guarded = false;
        }
      }
      if (!guarded) {
        wrong.add(e.getKey() + " (" + c.wire() + ")");
      }
    }
    assertTrue(
        wrong.isEmpty(),
        "reviewed exceptions whose category reaches someone free-text does not: " + wrong);
  }

  /** Every long free-form string declaration of every schema, by "folder#pointer". */
  private Map<String, JsonNode> freeFormLongStrings() throws IOException {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(SCHEMAS)) {
      for (Path file :
          files
              .filter(p -> p.getFileName().toString().matches("v[0-9]+\\.schema\\.json"))
              .sorted()
              .toList()) {
        collect(mapper.readTree(file.toFile()), "", file.getParent().getFileName().toString(), out);
      }
    }
    return out;
  }

  private static void collect(
      JsonNode schema, String at, String folder, Map<String, JsonNode> out) {
    if (schema.isObject()) {
      if (isLongFreeFormString(schema)) {
        out.put(folder + "#" + at, schema);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        collect(e.getValue(), at + "/" + e.getKey(), folder, out);
      }
    } else if (schema.isArray()) {
      for (int i = 0; i < schema.size(); i++) {
        collect(schema.get(i), at + "/" + i, folder, out);
      }
    }
  }

  private static boolean isLongFreeFormString(JsonNode schema) {
    JsonNode type = schema.get("type");
    boolean string =
        type != null
            && (type.asText().equals("string")
                || (type.isArray() && type.toString().contains("\"string\"")));
    if (!string
        || schema.has("enum")
        || schema.has("pattern")
        || schema.has("format")
        || schema.has("const")) {
      return false;
    }
    JsonNode max = schema.get("maxLength");
    return max == null || !max.canConvertToInt() || max.intValue() > SHORT;
  }
}
