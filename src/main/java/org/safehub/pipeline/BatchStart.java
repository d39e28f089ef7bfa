package org.safehub.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.safehub.cases.CaseFile;
import org.safehub.copy.CopyStage;
import org.safehub.copy.CopyWriter;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;
import org.safehub.routing.MaracReferrals;
import org.safehub.routing.Router;

/**
 * The start of a pipeline batch, on the pipeline thread: what the stages, the writer and the
 * routing read for the batch (the suspensions, the subjects' consent, the agencies' certificates,
 * the batch's cases) sent in one round trip ({@link ReadsTogether}), then each stage and the writer
 * told the batch begins, and the MARAC referral history read. A read that fails fails the batch,
 * which is retried: nothing is delivered on a guess.
 */
final class BatchStart {

  /** What the routing of the batch's messages reads: their cases and the referral history. */
  record Routing(Map<String, CaseFile> cases, MaracReferrals.Batch referrals) {}

  private final DataSource ds;
  private final List<CopyStage> stages;
  private final CopyWriter writer;
  private final Router router;

  BatchStart(DataSource ds, List<CopyStage> stages, CopyWriter writer, Router router) {
    this.ds = ds;
    this.stages = List.copyOf(stages);
    this.writer = writer;
    this.router = router;
  }

  /** Readies the stages and the writer for {@code batch}; returns what its routing needs. */
  Routing begin(List<Inbound> batch) throws Exception {
    List<Envelope> envelopes = batch.stream().map(Inbound::envelope).toList();
    List<String> caseRefs = envelopes.stream().map(Envelope::caseRef).toList();
    List<ReadsTogether.Read> reads = new ArrayList<>();
    for (CopyStage stage : stages) {
      reads.add(stage.batchRead(envelopes));
    }
    reads.add(writer.batchRead());
    List<Map<String, CaseFile>> cases = new ArrayList<>(1);
    reads.add(router.casesRead(caseRefs, cases::add));
    ReadsTogether.run(ds, reads);
    for (CopyStage stage : stages) {
      stage.beginBatch(envelopes);
    }
    writer.beginBatch();
    return new Routing(
        cases.isEmpty() ? router.readCases(caseRefs) : cases.get(0),
        router.beginBatch(
            batch.stream()
                .map(b -> new MaracReferrals.Accepted(b.envelope(), b.in().receivedAt()))
                .toList()));
  }
}
