package org.safehub.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.safehub.agencies.AgencyStatus;
import org.safehub.agencies.AgencyType;
import org.safehub.cases.CaseRole;
import org.safehub.delivery.DeliveryState;
import org.safehub.delivery.InboxItem;
import org.safehub.envelope.LegalBasis;

/**
 * The bodies the HTTP API returns, as records so that {@code /openapi} describes each one. The
 * component names and their order are the wire format the clients and the tests read: change them
 * only with the API.
 */
public final class Responses {

  private Responses() {}

  /** {@code POST /messages}: the receipt of an accepted message. */
  public record MessageAccepted(UUID messageId, Instant receivedAt) {}

  /**
   * {@code GET /messages/{id}/status}: the sender's view of a message; {@code legalBasis} is null
   * on a receipt from before bases were kept.
   */
  public record MessageStatus(
      UUID messageId,
      String type,
      String sender,
      Instant receivedAt,
      LegalBasis legalBasis,
      boolean sharedWithoutConsent,
      List<RecipientStatus> recipients) {}

  /**
   * One recipient of a message: its state, and why a withheld copy was withheld (or {@code
   * not-shared} where the sender may not learn why); the copy's acknowledgement deadline if it has
   * one ({@code overdue} once passed unacknowledged), and once acknowledged whether that was late;
   * why routing chose it ({@code explicit}, {@code subscription}, {@code case} or {@code
   * rule:<name>}; absent while pending).
   */
  public record RecipientStatus(
      String agency,
      DeliveryState state,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
      Instant updatedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant deadline,
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean acknowledgedLate,
      @JsonInclude(JsonInclude.Include.NON_NULL) String via) {}

  /** {@code GET /inbox}: a page of the caller's copies and the cursor to read on from. */
  public record InboxPage(List<InboxItem> items, String nextCursor) {}

  /**
   * {@code /cases}: a case as the caller may see it (a programme member sees only its own
   * membership); {@code status} is {@code open} or {@code closed}.
   */
  public record CaseView(
      String caseRef,
      String area,
      String status,
      List<CaseMember> members,
      Instant openedAt,
      Instant updatedAt) {}

  /** A member of a case: the agency and its role on the case. */
  public record CaseMember(String agency, CaseRole role) {}

  /** {@code POST /inbox/{id}/ack}: the copy is acknowledged. */
  public record Acknowledged(UUID messageId, DeliveryState state) {}

  /** {@code GET /keys/hub}: the hub's signing certificate and verification key, PEM. */
  public record HubKeys(String certificate, String verificationKey) {}

  /**
   * An agency's encryption certificate as the key directory holds it (never the key material
   * itself).
   */
  public record Certificate(
      String agencyId,
      String keyId,
      String keyType,
      Instant notBefore,
      Instant notAfter,
      boolean revoked,
      boolean usable) {}

  /** {@code GET /admin/agencies[/{id}]}: a registered agency, its status and its certificates. */
  public record AgencyView(
      String id,
      String name,
      AgencyType type,
      Set<String> areas,
      AgencyStatus status,
      List<Certificate> certificates) {}

  /** {@code POST /admin/agencies/{id}/certificates/{keyId}/revoke}: the certificate is revoked. */
  public record CertificateRevoked(String agencyId, String keyId, boolean revoked) {}

  /** {@code POST /admin/agencies/{id}/suspend} and {@code …/reinstate}: the agency's new status. */
  public record AgencyStatusChanged(String agencyId, AgencyStatus status) {}

  /**
   * {@code GET /audit/events} and {@code /audit/shared-without-consent}: events in order, and where
   * the next page starts (null at the end).
   */
  public record AuditEventPage(List<AuditEventView> events, Long nextAfter) {}

  /**
   * One audit event in its canonical JSON form (fields absent when empty), never any message
   * content; see {@code AuditEvent} for what each field holds.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AuditEventView(
      Long seq,
      String time,
      String action,
      String actorAgency,
      String actorClient,
      UUID messageId,
      String messageType,
      String caseRef,
      String recipient,
      LegalBasis legalBasis,
      String reason,
      List<String> categories,
      String justification,
      Map<String, String> detail) {}

  /** {@code GET /audit/checkpoints/latest}: a signed checkpoint of the audit log's Merkle tree. */
  public record CheckpointView(
      long treeSize, String rootHash, String time, String signature, String keyId) {}

  /** {@code GET /audit/events/{seq}/inclusion}: an RFC 9162 inclusion proof, hashes in hex. */
  public record InclusionProof(long seq, long treeSize, String leafHash, List<String> path) {}

  /** {@code GET /audit/consistency}: an RFC 9162 consistency proof, hashes in hex. */
  public record ConsistencyProof(long oldSize, long newSize, List<String> path) {}

  /**
   * {@code GET /audit/response-times}: per recipient agency and message type, the copies whose
   * deadline fell in [{@code from}, {@code to}) and how they were acknowledged; {@code asOf} is the
   * hub's clock, against which {@code overdue} is counted.
   */
  public record ResponseTimesReport(
      Instant from, Instant to, Instant asOf, List<AgencyResponseTimes> agencies) {}

  /**
   * One agency's figures for one message type: copies due, acknowledged in time, acknowledged late,
   * still overdue (the rest are not yet due), and the median and 90th percentile of the seconds
   * from acceptance to acknowledgement (absent when none was acknowledged).
   */
  public record AgencyResponseTimes(
      String agency,
      String type,
      long due,
      long acknowledgedInTime,
      long acknowledgedLate,
      long overdue,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double medianSecondsToAcknowledge,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double p90SecondsToAcknowledge) {}

  /**
   * {@code POST /messages/batch}: each message's own result, in the order sent. The batch itself is
   * answered {@code 200} whenever it could be read; each result carries its message's own status.
   */
  public record BatchPublished(int accepted, int refused, List<BatchItemResult> results) {}

  /**
   * One message of a batch: {@code status} 202 with its receipt ({@code messageId}, {@code
   * receivedAt}), or the status of its refusal with its problem document ({@code problem}).
   */
  public record BatchItemResult(
      int index,
      int status,
      @JsonInclude(JsonInclude.Include.NON_NULL) UUID messageId,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant receivedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) ProblemDocument problem) {}

  /**
   * An RFC 9457 problem document, as a refused request gets it, here for one message of a batch.
   */
  public record ProblemDocument(
      String type,
      String title,
      int status,
      String detail,
      @JsonInclude(JsonInclude.Include.NON_NULL) String instance,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ProblemViolation> violations,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer violationsOmitted,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer retryAfter) {}

  /** One violation of a problem document, with its JSON pointer. */
  public record ProblemViolation(String pointer, String keyword, String message) {}
}
