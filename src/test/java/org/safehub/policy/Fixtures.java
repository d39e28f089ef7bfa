package org.safehub.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatus;
import org.safehub.agencies.AgencyType;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.Recipient;
import org.safehub.copy.StageOutcome;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.LegalBasis;
import org.safehub.envelope.Priority;
import org.safehub.validation.SchemaCatalogue;

/**
 * The real schemas, the shipped deploy files, and copies made from messages, shared by the policy
 * tests.
 */
final class Fixtures {

  static final Path SCHEMAS = Path.of("schemas");
  static final Path DEPLOY = Path.of("deploy/config");
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final SchemaCatalogue CATALOGUE = SchemaCatalogue.load(SCHEMAS, MAPPER);
  static final JsonNode ENVELOPE_SCHEMA = read(SCHEMAS.resolve("envelope/v1.schema.json"));
  static final CategoryMap ENVELOPE_MAP = CategoryMap.of(ENVELOPE_SCHEMA);
  static final List<String> AGENCY_TYPES =
      List.of("perpetrator-programme", "partner-support", "childrens-services", "mash", "marac");
  static final String PROGRAMME = "perpetrator-programme";

  private Fixtures() {}

  static JsonNode read(Path file) {
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode example(String type, String name) {
    return read(SCHEMAS.resolve(type).resolve("examples").resolve(name));
  }

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode payloadSchema(String type) {
    return CATALOGUE.schema(type, 1).orElseThrow().document();
  }

  static CategoryMap messageMap(String type) {
    return ENVELOPE_MAP.with("payload", CategoryMap.of(payloadSchema(type)));
  }

  static SharingPolicy shippedPolicy() {
    return SharingPolicy.load(DEPLOY, AgencyDirectory.load(DEPLOY));
  }

  static Agency agency(String type) {
    return new Agency(
        "demo-" + type,
        "Demo " + type,
        AgencyType.of(type),
        Set.of("E08000026"),
        AgencyStatus.ACTIVE);
  }

  /**
   * The pipeline's redaction stage followed by its safety guard, as the hub runs them, with {@code
   * alerts} for the guard's.
   */
  static CopyStage redactAndGuard(SharingPolicy policy, Consumer<GuardAlert> alerts) {
    return redactAndGuard(policy::allowed, alerts);
  }

  /**
   * As above, with any source of allowed categories: lets a test feed the guard a policy no file
   * could hold.
   */
  static CopyStage redactAndGuard(
      Function<AgencyType, Set<DataCategory>> allowedFor, Consumer<GuardAlert> alerts) {
    CategoryMaps maps = new CategoryMaps(CATALOGUE, ENVELOPE_MAP);
    RedactionStage redaction = new RedactionStage(maps, allowedFor);
    SafetyGuard guard = new SafetyGuard(maps, alerts);
    return copy -> {
      StageOutcome redacted = redaction.apply(copy);
      return redacted instanceof StageOutcome.Pass p ? guard.apply(p.copy()) : redacted;
    };
  }

  static Recipient recipient(Agency a) {
    return new Recipient(a.id(), a.type().name());
  }

  /**
   * A copy of {@code message} for an agency of {@code agencyType}; the envelope is built by hand so
   * any content will do.
   */
  static Copy copyFor(JsonNode message, String agencyType) {
    String type = message.path("type").asText();
    Envelope envelope =
        new Envelope(
            UUID.nameUUIDFromBytes(type.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            type,
            1,
            "CASE-0001",
            "E08000026",
            Instant.EPOCH,
            Priority.ROUTINE,
            List.of(),
            LegalBasis.CONSENT,
            List.of());
    return new Copy(
        envelope,
        "demo-sender",
        Instant.EPOCH,
        recipient(agency(agencyType)),
        message,
        new ArrayList<>());
  }
}
