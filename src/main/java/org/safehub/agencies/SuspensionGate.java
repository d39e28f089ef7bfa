package org.safehub.agencies;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.Notice;
import org.safehub.copy.NoticeGate;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;

/**
 * Withholds every copy for a suspended agency, read fresh from the status store before each batch,
 * so a suspension stops delivery from the next batch on, including messages accepted before it. The
 * hub's own notices (consent withdrawn) to a suspended agency are withheld the same way.
 */
@Singleton
public final class SuspensionGate implements CopyStage, NoticeGate {

  private final AgencyStatusStore statuses;
  private Set<String> suspended = Set.of();
  // the batch whose read together set suspended, until its beginBatch; null if none
  private List<Envelope> readFor;

  @Inject
  public SuspensionGate(AgencyStatusStore statuses) {
    this.statuses = statuses;
  }

  @Override
  public ReadsTogether.Read batchRead(List<Envelope> batch) {
    readFor = null;
    return statuses.suspendedRead(
        s -> {
          suspended = s;
          readFor = batch;
        });
  }

  /** Reads the suspensions, unless this batch's read together already did. */
  @Override
  public void beginBatch(List<Envelope> batch) throws Exception {
    if (readFor != batch) {
      suspended = statuses.suspended();
    }
    readFor = null;
  }

  @Override
  public StageOutcome apply(Copy copy) {
    return suspended.contains(copy.recipient().id())
        ? new StageOutcome.Withhold(WithholdReason.AGENCY_SUSPENDED)
        : new StageOutcome.Pass(copy);
  }

  @Override
  public WithholdReason withhold(Notice notice) {
    return suspended.contains(notice.recipient()) ? WithholdReason.AGENCY_SUSPENDED : null;
  }
}
