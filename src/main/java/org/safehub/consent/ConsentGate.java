package org.safehub.consent;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.Subject;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.routing.WithholdReason;

/**
 * The consent stage: a copy of a message that relies on consent goes only to an agency whose type
 * (and the message's type) every subject of the message has a live consent for. Other lawful bases
 * pass and are recorded as shared without consent. Reads the registry once per batch, fresh each time.
 */
public final class ConsentGate implements CopyStage {

  public static final String BASIS_CONSENT = "consent";

  private final ConsentRegistry registry;
  private Map<String, ConsentRecord> batch = Map.of();

  public ConsentGate(ConsentRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void beginBatch(List<Envelope> envelopes) throws Exception {
    Set<String> refs = new LinkedHashSet<>();
    for (Envelope e : envelopes) {
      if (relies(e)) {
        e.subjects().forEach(s -> refs.add(s.ref()));
      }
    }
    batch = refs.isEmpty() ? Map.of() : new HashMap<>(registry.current(refs));
  }

  @Override
  public StageOutcome apply(Copy copy) {
    Envelope e = copy.envelope();
    if (!relies(e)) {
      return new StageOutcome.Pass(copy);
    }
    if (e.subjects().isEmpty()) {
      return new StageOutcome.Withhold(WithholdReason.NO_CONSENT);
    }
    for (Subject s : e.subjects()) {
      ConsentRecord r = batch.get(s.ref());
      if (r == null) {
        return new StageOutcome.Withhold(WithholdReason.NO_CONSENT);
      }
      if (!r.granted()) {
        return new StageOutcome.Withhold(WithholdReason.CONSENT_WITHDRAWN);
      }
      if (!r.covers(copy.recipient().type(), e.type())) {
        return new StageOutcome.Withhold(WithholdReason.NO_CONSENT);
      }
    }
    return new StageOutcome.Pass(copy);
  }

  /** A consent change is itself news about consent, and goes to its recipients whatever the registry says. */
  private static boolean relies(Envelope e) {
    return BASIS_CONSENT.equals(e.legalBasis()) && !ConsentChange.TYPE.equals(e.type());
  }
}
