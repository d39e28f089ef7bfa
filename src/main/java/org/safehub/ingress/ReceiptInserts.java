package org.safehub.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.safehub.ingress.ReceiptStore.ClaimRequest;

/** The receipts of a group's claims, written as {@code accepting} in one statement. */
final class ReceiptInserts {

  /**
   * The receipts as {@code accepting} and, for each receipt this statement inserted, its pending
   * delivery rows: one statement (the second insert reads the first's {@code returning}), so a
   * message id already stored gets neither.
   */
  private static final String INSERT_RECEIPTS =
      "with ins as (insert into receipt (message_id, sender, content_hash, message_type, case_ref,"
          + " received_at, state, legal_basis, subject_refs)"
          + " select u.id, u.sender, u.hash, u.type, u.case_ref, u.received_at::timestamptz, 'accepting', u.basis,"
          + " array(select jsonb_array_elements_text(u.refs::jsonb))"
          + " from unnest(?::uuid[], ?::text[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[],"
          + " ?::text[]) with ordinality as u(id, sender, hash, type, case_ref, received_at, basis, refs, n)"
          + " order by u.n"
          + " on conflict (message_id) do nothing returning message_id),"
          + " pending as (insert into delivery (message_id, recipient, state, updated_at)"
          + " select p.id, p.recipient, 'pending', p.at::timestamptz"
          + " from unnest(?::uuid[], ?::text[], ?::text[]) as p(id, recipient, at)"
          + " where p.id in (select message_id from ins) on conflict do nothing)"
          + " select message_id from ins";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReceiptInserts() {}

  /**
   * Inserts the receipts of {@code live} in one statement, each as {@code accepting} and with its
   * pending delivery rows (one per recipient the message was routed to at the door), and tells
   * which of them this statement inserted: a message id already stored (or repeated earlier in the
   * same group) is not, and gets no pending rows. One statement rather than a JDBC batch, so the
   * answer does not depend on per-row update counts (which a driver that rewrites batched inserts
   * does not report).
   */
  static boolean[] insert(Connection c, List<ClaimRequest> requests, List<Integer> live)
      throws SQLException {
    boolean[] inserted = new boolean[live.size()];
    Map<UUID, Integer> first = new HashMap<>();
    List<Integer> rows = new ArrayList<>();
    for (int k = 0; k < live.size(); k++) {
      if (first.putIfAbsent(requests.get(live.get(k)).messageId(), k) == null) {
        rows.add(k);
      }
    }
    int n = rows.size();
    Object[] ids = new Object[n];
    String[] senders = new String[n];
    byte[][] hashes = new byte[n][];
    String[] types = new String[n];
    String[] caseRefs = new String[n];
    // times as ISO-8601 instants (with their offset, Z), whatever the JVM's zone
    String[] received = new String[n];
    String[] bases = new String[n];
    String[] refs = new String[n];
    List<Object> pendingIds = new ArrayList<>();
    List<String> pendingRecipients = new ArrayList<>();
    List<String> pendingAt = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      ClaimRequest r = requests.get(live.get(rows.get(j)));
      ids[j] = r.messageId();
      senders[j] = r.facts().sender();
      hashes[j] = r.facts().hash();
      types[j] = r.facts().type();
      caseRefs[j] = r.facts().caseRef();
      received[j] = r.receivedAt().toString();
      bases[j] = r.facts().legalBasis().wire();
      refs[j] = json(r.facts().subjectRefs());
      for (String recipient : r.pending()) {
        pendingIds.add(r.messageId());
        pendingRecipients.add(recipient);
        pendingAt.add(received[j]);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_RECEIPTS)) {
      ps.setArray(1, c.createArrayOf("uuid", ids));
      ps.setArray(2, c.createArrayOf("text", senders));
      ps.setArray(3, c.createArrayOf("bytea", hashes));
      ps.setArray(4, c.createArrayOf("text", types));
      ps.setArray(5, c.createArrayOf("text", caseRefs));
      ps.setArray(6, c.createArrayOf("text", received));
      ps.setArray(7, c.createArrayOf("text", bases));
      ps.setArray(8, c.createArrayOf("text", refs));
      ps.setArray(9, c.createArrayOf("uuid", pendingIds.toArray()));
      ps.setArray(10, c.createArrayOf("text", pendingRecipients.toArray()));
      ps.setArray(11, c.createArrayOf("text", pendingAt.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted[first.get(rs.getObject(1, UUID.class))] = true;
        }
      }
    }
    return inserted;
  }

  private static String json(List<String> refs) throws SQLException {
    try {
      return JSON.writeValueAsString(refs);
    } catch (JsonProcessingException e) {
      throw new SQLException("subject refs could not be written", e);
    }
  }
}
