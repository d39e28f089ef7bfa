package org.safehub.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Builds test messages from the valid examples shipped in schemas/, with fresh ids. */
public final class TestMessages {

  public static final ObjectMapper MAPPER = new ObjectMapper();
  public static final List<String> TYPES =
      List.of(
          "referral",
          "assessment-outcome",
          "attendance",
          "programme-exit",
          "risk-disclosure",
          "child-protection-alert",
          "marac-referral",
          "marac-action",
          "partner-contact-summary",
          "consent-change",
          "acknowledgement");

  private TestMessages() {}

  /**
   * The first valid example of {@code type}, with a new messageId and caseRef, no explicit
   * recipients, routine priority and a safeguarding basis with a justification (so that routing
   * tests do not depend on the consent registry; consent tests set basis consent themselves). A
   * risk disclosure's risk level is {@code medium}, so that routing.yaml's high-risk rule adds no
   * one unless a test asks.
   */
  public static ObjectNode example(String type) {
    try (Stream<Path> files = Files.list(Path.of("schemas", type, "examples"))) {
      Path first =
          files
              .filter(p -> p.getFileName().toString().startsWith("valid-"))
              .sorted()
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no valid example for " + type));
      ObjectNode msg = (ObjectNode) MAPPER.readTree(first.toFile());
      msg.put("messageId", UUID.randomUUID().toString());
      // a case of its own: a referral opens its case, whose members then receive every message on
      // it
      msg.put("caseRef", "CASE-X-" + UUID.randomUUID().toString().substring(0, 8));
      msg.remove("recipients");
      msg.put("priority", "routine");
      msg.put("area", "E08000026");
      if ("risk-disclosure".equals(type)) {
        ((ObjectNode) msg.get("payload")).put("riskLevel", "medium");
      }
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

  public static ObjectNode withRecipients(ObjectNode msg, String... recipients) {
    ArrayNode arr = msg.putArray("recipients");
    for (String r : recipients) {
      arr.add(r);
    }
    return msg;
  }

  public static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String json(Object node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
