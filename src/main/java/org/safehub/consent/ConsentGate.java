package org.safehub.consent;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.safehub.agencies.AgencyType;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.Subject;

/**
 * The consent stage: a copy of a message that relies on consent goes only to an agency whose type
 * (and the message's type) every subject of the message has a live consent for. Other lawful bases
 * pass and are recorded as shared without consent. Reads the registry once per batch, fresh each
 * time; the pipeline asks {@link #decide} again, under a lock on the consent rows, where it records
 * its decisions.
 */
@Singleton
public final class ConsentGate implements CopyStage {

  private final ConsentRegistry registry;
  private Map<String, ConsentRecord> batch = Map.of();
  // the batch whose read together set batch, until its beginBatch; null if none
  private List<Envelope> readFor;

  @Inject
  public ConsentGate(ConsentRegistry registry) {
    this.registry = registry;
  }

  @Override
  public ReadsTogether.Read batchRead(List<Envelope> envelopes) {
    readFor = null;
    Set<String> refs = refs(envelopes);
    if (refs.isEmpty()) {
      return null; // nothing to read: beginBatch knows it
    }
    return registry.currentRead(
        refs,
        records -> {
          batch = records;
          readFor = envelopes;
        });
  }

  /** Reads the consent of every subject in the batch, unless this batch's read together did. */
  @Override
  public void beginBatch(List<Envelope> envelopes) throws Exception {
    if (readFor != envelopes) {
      Set<String> refs = refs(envelopes);
      batch = refs.isEmpty() ? Map.of() : new HashMap<>(registry.current(refs));
    }
    readFor = null;
  }

  /** The subjects of the batch's consent-based messages. */
  private static Set<String> refs(List<Envelope> envelopes) {
    Set<String> refs = new LinkedHashSet<>();
    for (Envelope e : envelopes) {
      if (relies(e)) {
        e.subjects().forEach(s -> refs.add(s.ref()));
      }
    }
    return refs;
  }

  @Override
  public StageOutcome apply(Copy copy) {
    Envelope e = copy.envelope();
    if (!relies(e)) {
      return new StageOutcome.Pass(copy);
    }
    WithholdReason r =
        decide(
            e,
            AgencyType.of(copy.recipient().type()),
            batch); // the copy vocabulary is below agencies: its type is the wire name
    return r == null ? new StageOutcome.Pass(copy) : new StageOutcome.Withhold(r);
  }

  /**
   * Whether a copy of consent-based {@code e} may go to an agency of {@code agencyType} under the
   * consent {@code records}: null if it may, else why not. The pipeline asks again, under a lock on
   * the consent rows, where it records its delivery decisions.
   */
  public static WithholdReason decide(
      Envelope e, AgencyType agencyType, Map<String, ConsentRecord> records) {
    if (e.subjects().isEmpty()) {
      return WithholdReason.NO_CONSENT;
    }
    for (Subject s : e.subjects()) {
      ConsentRecord r = records.get(s.ref());
      if (r == null) {
        return WithholdReason.NO_CONSENT;
      }
      if (!r.granted()) {
        return WithholdReason.CONSENT_WITHDRAWN;
      }
      if (agencyType == null || !r.covers(agencyType, e.type())) {
        return WithholdReason.NO_CONSENT;
      }
    }
    return null;
  }

  /**
   * A consent change is itself news about consent, and goes to its recipients whatever the registry
   * says.
   */
  public static boolean relies(Envelope e) {
    return e.legalBasis().isConsent() && !ConsentChange.TYPE.equals(e.type());
  }
}
