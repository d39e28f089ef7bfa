package org.safehub.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.agencies.SuspensionGate;
import org.safehub.cases.AttendanceConcerns;
import org.safehub.consent.ConsentGate;
import org.safehub.consent.ConsentNotices;
import org.safehub.consent.ConsentRegistry;
import org.safehub.copy.CopyStage;
import org.safehub.copy.JsonCopyWriter;
import org.safehub.copy.StageOutcome;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.policy.CategoryMaps;
import org.safehub.policy.RedactionStage;
import org.safehub.policy.SafetyGuard;
import org.safehub.policy.SharingPolicy;
import org.safehub.routing.Router;
import org.safehub.routing.RoutingPolicy;
import org.safehub.sealing.SealingCopyWriter;
import org.safehub.validation.SchemaCatalogue;

/**
 * The pipeline's stage list: the order the hub runs, and the safety guard always last before
 * sealing.
 */
class StagesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final CategoryMaps MAPS =
      new CategoryMaps(SchemaCatalogue.load(Path.of("schemas"), MAPPER));
  private static final Router ROUTER =
      new Router(
          new AgencyDirectory(Set.of(), List.of()),
          new RoutingPolicy(Map.of(), Map.of(), List.of()));
  // no database, keys or audit needed: the stages are only built here, never applied
  private static final SafetyGuard GUARD = new SafetyGuard(MAPS, null, new SimpleMeterRegistry());

  @Test
  void theHubRunsSuspensionConsentRedactionThenTheGuardThenSeals() {
    // Given the stages as the hub builds them
    ConsentRegistry consent = new ConsentRegistry(null);
    SuspensionGate suspension =
        new SuspensionGate(new AgencyStatusStore(null, new AgencyDirectory(Set.of(), List.of())));
    ConsentGate consentGate = new ConsentGate(consent);
    RedactionStage redaction = new RedactionStage(MAPS, SharingPolicy.of(Map.of()));
    SealingCopyWriter seal = new SealingCopyWriter(new AgencyKeyDirectory(null), null, MAPPER);
    AttendanceConcerns attendance = new AttendanceConcerns(null, null, MAPPER, 2);
    // When
    Stages stages =
        new Stages(
            ROUTER,
            suspension,
            consentGate,
            redaction,
            GUARD,
            seal,
            new ConsentNotices(consent, MAPPER),
            attendance);
    // Then
    assertEquals(
        List.<CopyStage>of(suspension, consentGate, redaction, GUARD), stages.copyStages());
    assertEquals(2, stages.noticeSources().size());
    assertInstanceOf(AttendanceConcerns.class, stages.noticeSources().get(1));
    assertInstanceOf(SealingCopyWriter.class, stages.writer());
  }

  @Test
  void aStageAfterTheSafetyGuardIsRefused() {
    CopyStage after = copy -> new StageOutcome.Pass(copy);
    assertThrows(
        IllegalArgumentException.class,
        () -> new Stages(ROUTER, List.of(GUARD, after), new JsonCopyWriter(MAPPER), List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Stages(ROUTER, List.of(after), new JsonCopyWriter(MAPPER), List.of()));
  }
}
