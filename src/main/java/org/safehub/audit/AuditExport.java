package org.safehub.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Exports a range of the log as JSON Lines for the offline {@link AuditVerifier}, whose class
 * header documents the format.
 */
final class AuditExport {

  private static final int FETCH = 10_000;

  private final AuditTransactions db;
  private final AuditProofs proofs;
  private final AuditCheckpoints checkpoints;

  AuditExport(AuditTransactions db, AuditProofs proofs, AuditCheckpoints checkpoints) {
    this.db = Objects.requireNonNull(db, "db");
    this.proofs = Objects.requireNonNull(proofs, "proofs");
    this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
  }

  /** See {@link AuditLog#export(long, long, Writer)}. */
  Checkpoint export(long fromSeq, long toSeq, Writer out) throws IOException {
    long size = proofs.size();
    if (fromSeq < 0 || fromSeq > toSeq || toSeq >= size) {
      throw new IllegalArgumentException(
          "no events " + fromSeq + ".." + toSeq + " in a log of " + size);
    }
    Checkpoint cover = checkpoints.firstAbove(toSeq).orElseGet(checkpoints::checkpointNow);
    HexFormat hex = HexFormat.of();
    try {
      db.inTransaction(
          true,
          c -> {
            line(
                out,
                g -> {
                  g.writeStringField("type", "header");
                  g.writeStringField("format", AuditVerifier.FORMAT);
                  g.writeNumberField("fromSeq", fromSeq);
                  g.writeNumberField("toSeq", toSeq);
                  g.writeNumberField("treeSize", cover.treeSize());
                  g.writeStringField("keyId", cover.keyId());
                });
            List<Checkpoint> covered = AuditCheckpoints.upTo(c, cover.treeSize());
            for (Checkpoint checkpoint : covered) {
              line(
                  out,
                  g -> {
                    g.writeStringField("type", "checkpoint");
                    checkpoint.writeFields(g);
                  });
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "select seq, leaf_hash,"
                        + " case when seq between ? and ? then event_json end from audit_event where seq < ? order by seq")) {
              ps.setFetchSize(FETCH);
              ps.setLong(1, fromSeq);
              ps.setLong(2, toSeq);
              ps.setLong(3, cover.treeSize());
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  long seq = rs.getLong(1);
                  String leaf = hex.formatHex(rs.getBytes(2));
                  String json = rs.getString(3);
                  line(
                      out,
                      g -> {
                        g.writeStringField("type", json == null ? "leaf" : "event");
                        g.writeNumberField("seq", seq);
                        g.writeStringField("leafHash", leaf);
                        if (json != null) {
                          // exactly as stored: the verifier, not the exporter, judges it
                          g.writeFieldName("event");
                          g.writeRawValue(json);
                        }
                      });
                }
              }
            }
            return null;
          });
    } catch (SQLException e) {
      throw new IllegalStateException("could not export the audit log", e);
    }
    out.flush();
    return cover;
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static void line(Writer out, Fields fields) throws IOException {
    JsonGenerator g = AuditEvent.JSON.createGenerator(out);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.writeStartObject();
    fields.write(g);
    g.writeEndObject();
    g.close();
    out.write('\n');
  }
}
