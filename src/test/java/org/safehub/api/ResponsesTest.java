package org.safehub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyStatus;
import org.safehub.agencies.AgencyType;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.delivery.DeliveryState;
import org.safehub.envelope.LegalBasis;

/**
 * The response records write the JSON the hub wrote before they existed: same names, same values,
 * same order.
 */
class ResponsesTest {

  // as Quarkus configures its mapper: java.time as ISO-8601 text
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final UUID ID = UUID.fromString("0b7c7f6e-8f1a-4c57-9a55-2f1f2d3c4b5a");
  private static final Instant AT = Instant.parse("2026-11-30T17:00:31.123450Z");

  @Test
  void aMessagesStatusNamesItsBasisAndStatesAndLeavesOutAReasonItDoesNotHave() throws Exception {
    // Given a consent-based message delivered to one agency and withheld from another
    Responses.MessageStatus status =
        new Responses.MessageStatus(
            ID,
            "referral",
            "demo-cs",
            AT,
            LegalBasis.CONSENT,
            false,
            List.of(
                new Responses.RecipientStatus(
                    "demo-dvpp",
                    DeliveryState.WITHHELD,
                    "no-consent",
                    AT,
                    null,
                    null,
                    "subscription"),
                new Responses.RecipientStatus(
                    "demo-iss",
                    DeliveryState.DELIVERED,
                    null,
                    AT,
                    AT.plusSeconds(3600),
                    null,
                    "rule:high-risk-disclosure")));
    // When / Then
    assertEquals(
        "{\"messageId\":\""
            + ID
            + "\",\"type\":\"referral\",\"sender\":\"demo-cs\",\"receivedAt\":\"2026-11-30T17:00:31.123450Z\","
            + "\"legalBasis\":\"consent\",\"sharedWithoutConsent\":false,\"recipients\":["
            + "{\"agency\":\"demo-dvpp\",\"state\":\"withheld\",\"reason\":\"no-consent\",\"updatedAt\":\"2026-11-30T17:00:31.123450Z\","
            + "\"via\":\"subscription\"},"
            + "{\"agency\":\"demo-iss\",\"state\":\"delivered\",\"updatedAt\":\"2026-11-30T17:00:31.123450Z\","
            + "\"deadline\":\"2026-11-30T18:00:31.123450Z\",\"via\":\"rule:high-risk-disclosure\"}]}",
        MAPPER.writeValueAsString(status));
  }

  @Test
  void aReceiptWithoutARecordedBasisStillSaysSo() throws Exception {
    assertEquals(
        "{\"messageId\":\""
            + ID
            + "\",\"type\":\"referral\",\"sender\":\"demo-cs\",\"receivedAt\":\"2026-11-30T17:00:31.123450Z\","
            + "\"legalBasis\":null,\"sharedWithoutConsent\":true,\"recipients\":[]}",
        MAPPER.writeValueAsString(
            new Responses.MessageStatus(ID, "referral", "demo-cs", AT, null, true, List.of())));
  }

  @Test
  void agencyTypesStatusesAndStatesAreWrittenByTheirWireNames() throws Exception {
    Responses.AgencyView agency =
        new Responses.AgencyView(
            "demo-dvpp",
            "Programme",
            AgencyType.of("perpetrator-programme"),
            new LinkedHashSet<>(List.of("E08000026")),
            AgencyStatus.SUSPENDED,
            List.of(
                new Responses.Certificate(
                    "demo-dvpp",
                    "k1",
                    "EC_P256",
                    Instant.parse("2026-01-01T00:00:00Z"),
                    Instant.parse("2027-01-01T00:00:00Z"),
                    false,
                    true)));
    assertEquals(
        "{\"id\":\"demo-dvpp\",\"name\":\"Programme\",\"type\":\"perpetrator-programme\",\"areas\":[\"E08000026\"],\"status\":\"suspended\","
            + "\"certificates\":[{\"agencyId\":\"demo-dvpp\",\"keyId\":\"k1\",\"keyType\":\"EC_P256\",\"notBefore\":\"2026-01-01T00:00:00Z\","
            + "\"notAfter\":\"2027-01-01T00:00:00Z\",\"revoked\":false,\"usable\":true}]}",
        MAPPER.writeValueAsString(agency));
    assertEquals(
        "{\"agencyId\":\"demo-dvpp\",\"status\":\"active\"}",
        MAPPER.writeValueAsString(
            new Responses.AgencyStatusChanged("demo-dvpp", AgencyStatus.ACTIVE)));
    assertEquals(
        "{\"messageId\":\"" + ID + "\",\"state\":\"acknowledged\"}",
        MAPPER.writeValueAsString(new Responses.Acknowledged(ID, DeliveryState.ACKNOWLEDGED)));
  }

  @Test
  void anAuditEventIsReturnedExactlyAsItsCanonicalJson() throws Exception {
    // Given events with few and with many fields
    AuditEvent sparse =
        AuditEvent.builder(AuditAction.AUDIT_QUERIED, AT)
            .detail("query", "events")
            .build()
            .withSeq(3);
    AuditEvent full =
        AuditEvent.builder(AuditAction.DELIVERED, AT)
            .actor("demo-iss", "client-1")
            .message(ID, "risk-disclosure", "CASE-1")
            .recipient("demo-cs")
            .legalBasis(LegalBasis.VITAL_INTERESTS.wire(), "Immediate danger \"quoted\" \u00e9")
            .reason("redacted")
            .categories(List.of("free-text", "victim-location"))
            .detail("b", "2")
            .detail("a", "1")
            .build()
            .withSeq(42);
    for (AuditEvent e : List.of(sparse, full)) {
      // When read into the response record and written again
      Responses.AuditEventView view =
          MAPPER
              .readerFor(Responses.AuditEventView.class)
              .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(e.toJson());
      // Then the bytes are the canonical JSON's
      assertEquals(e.toJson(), MAPPER.writeValueAsString(view));
    }
  }
}
