package org.safehub.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Objects;
import org.safehub.agencies.SuspensionGate;
import org.safehub.cases.AttendanceConcerns;
import org.safehub.consent.ConsentGate;
import org.safehub.consent.ConsentNotices;
import org.safehub.copy.CopyStage;
import org.safehub.copy.CopyWriter;
import org.safehub.copy.NoticeSource;
import org.safehub.policy.RedactionStage;
import org.safehub.policy.SafetyGuard;
import org.safehub.routing.Router;
import org.safehub.sealing.SealingCopyWriter;

/**
 * The pipeline, top to bottom: the one place that knows the stages and their order. A new stage
 * goes in this list; {@link Pipeline} runs whatever is here, in order, for each recipient's copy,
 * inside one Kafka transaction per batch.
 *
 * @param router decides the recipients of each message (or withholds with a reason)
 * @param copyStages run in order for each recipient's copy; the first to withhold decides
 * @param writer turns a copy that passed every stage into the bytes on the recipient's delivery
 *     topic
 * @param noticeSources the hub's own notices about each message, gated by the stages that are
 *     {@code NoticeGate}s
 */
@Singleton
public record Stages(
    Router router,
    List<CopyStage> copyStages,
    CopyWriter writer,
    List<NoticeSource> noticeSources) {

  /**
   * Refuses a list whose last stage is not the safety guard: nothing may change a copy after the
   * guard but sealing; and routing rules that would add a perpetrator programme.
   */
  public Stages {
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(writer, "writer");
    copyStages = List.copyOf(copyStages);
    noticeSources = List.copyOf(noticeSources);
    if (copyStages.isEmpty() || !(copyStages.get(copyStages.size() - 1) instanceof SafetyGuard)) {
      throw new IllegalArgumentException("the safety guard must be the last stage before sealing");
    }
    SafetyGuard.requireNoRuleAddsAProgramme(router.policy());
  }

  @Inject
  public Stages(
      Router router,
      SuspensionGate suspension,
      ConsentGate consent,
      RedactionStage redaction,
      SafetyGuard guard,
      SealingCopyWriter seal,
      ConsentNotices consentNotices,
      AttendanceConcerns attendanceConcerns) {
    this(
        router, // 1. route: who may receive the message (routing.yaml, standing subscriptions,
        // agency status)
        List.of(
            suspension, // 2. a suspended agency receives nothing, from the next batch on
            consent, // 3. a consent-based message needs every subject's consent for the recipient's
            // agency type
            redaction, // 4. the sharing policy's view of the message for the recipient's agency
            // type
            guard), // 5. the victim-safety guarantee, last before sealing, whatever the policy says
        seal, // 6. signed by the hub and enveloped for the recipient alone; then delivered
        List.of(
            consentNotices, // the hub's own notices (consent withdrawn), through the same gates
            attendanceConcerns)); // and unexplained absences on a case; same gates and writer
  }
}
