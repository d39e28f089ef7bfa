package org.safehub.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One decision the hub made, as the audit log records it: who, what, which message, to whom, on
 * what basis and why, but never any of the message's content. {@link #canonicalBytes()} are the
 * bytes hashed into the event's Merkle leaf, so their form is part of the audit wire format and
 * must never change.
 *
 * <p>Canonical form: a JSON object with no whitespace, the fields in this order and absent when
 * null or empty: {@code seq, time, action, actorAgency, actorClient, messageId, messageType,
 * caseRef, recipient, legalBasis, reason, categories, justification, detail}; {@code time} as UTC
 * with six fractional digits ({@code 2025-01-31T09:30:00.000000Z}), {@code detail} keys in
 * ascending order, strings escaped as Jackson writes them (control characters, quote and backslash
 * only; UTF-8 otherwise).
 *
 * @param seq position in the log, 0-based, assigned by {@link AuditLog}; {@link #UNASSIGNED} before
 *     that
 * @param time when the decision was made, kept to the microsecond
 * @param actorAgency the agency that acted (or asked), if known
 * @param actorClient the OAuth client that acted, if known
 * @param messageId the message concerned, if any
 * @param messageType its type, e.g. {@code referral}
 * @param caseRef the case reference the message carried
 * @param recipient the agency the decision was about (routed to, delivered to, withheld from)
 * @param legalBasis the lawful basis of the share, e.g. {@code consent}
 * @param reason a code saying why, e.g. {@code no-consent}
 * @param categories names of data categories concerned (e.g. redacted), never their values
 * @param justification the written lawful-basis justification, which auditors may read for shares
 *     without consent; {@link AuditLog} stores it sealed, once per message, and the stored event
 *     carries only the seal's hash ({@code detail.justificationSeal}); events written before that
 *     carry it here
 * @param detail a few further codes (at most {@value #MAX_DETAIL} short entries), never content
 */
public record AuditEvent(
    long seq,
    Instant time,
    AuditAction action,
    String actorAgency,
    String actorClient,
    UUID messageId,
    String messageType,
    String caseRef,
    String recipient,
    String legalBasis,
    String reason,
    List<String> categories,
    String justification,
    Map<String, String> detail) {

  /** The seq of an event not yet appended. */
  public static final long UNASSIGNED = -1;

  /**
   * The same event with {@code justification} and {@code detail} in place of its own (sealing a
   * justification away into {@code detail}, or opening it again); every other field is kept.
   */
  public AuditEvent withJustification(String justification, Map<String, String> detail) {
    return new AuditEvent(
        seq,
        time,
        action,
        actorAgency,
        actorClient,
        messageId,
        messageType,
        caseRef,
        recipient,
        legalBasis,
        reason,
        categories,
        justification,
        detail);
  }

  /** Longest value of any short text field. */
  public static final int MAX_TEXT = 256;

  /** Longest justification, as the envelope schema allows. */
  public static final int MAX_JUSTIFICATION = 4000;

  /** Most entries in {@code detail} and in {@code categories}. */
  public static final int MAX_DETAIL = 32;

  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  static final ObjectMapper MAPPER =
      new ObjectMapper(JSON).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  public AuditEvent {
    if (seq < UNASSIGNED) {
      throw new IllegalArgumentException("seq must be 0 or more, or UNASSIGNED");
    }
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(action, "action");
    if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
      throw new IllegalArgumentException("time out of range: " + time);
    }
    time = time.truncatedTo(ChronoUnit.MICROS);
    text("actorAgency", actorAgency, MAX_TEXT);
    text("actorClient", actorClient, MAX_TEXT);
    text("messageType", messageType, MAX_TEXT);
    text("caseRef", caseRef, MAX_TEXT);
    text("recipient", recipient, MAX_TEXT);
    text("legalBasis", legalBasis, MAX_TEXT);
    code("reason", reason);
    categories = categories == null ? List.of() : List.copyOf(categories);
    if (categories.size() > MAX_DETAIL) {
      throw new IllegalArgumentException("at most " + MAX_DETAIL + " categories");
    }
    categories.forEach(c -> code("category", c));
    if (justification != null) {
      if (justification.isEmpty()
          || justification.length() > MAX_JUSTIFICATION
          || !wellFormedUnicode(justification)) {
        throw new IllegalArgumentException(
            "justification must be 1 to " + MAX_JUSTIFICATION + " characters");
      }
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    if (detail != null) {
      if (detail.size() > MAX_DETAIL) {
        throw new IllegalArgumentException("at most " + MAX_DETAIL + " detail entries");
      }
      detail.forEach(
          (key, value) -> {
            code("detail key", key);
            text("detail " + key, Objects.requireNonNull(value, "detail " + key), MAX_TEXT);
            sorted.put(key, value);
          });
    }
    detail = Collections.unmodifiableMap(sorted);
  }

  /** A builder for an event of {@code action} at {@code time}, not yet appended. */
  public static Builder builder(AuditAction action, Instant time) {
    return new Builder(action, time);
  }

  /** This event at position {@code seq} of the log. */
  public AuditEvent withSeq(long seq) {
    return new AuditEvent(
        seq,
        time,
        action,
        actorAgency,
        actorClient,
        messageId,
        messageType,
        caseRef,
        recipient,
        legalBasis,
        reason,
        categories,
        justification,
        detail);
  }

  /** Whether this records a copy delivered on a basis other than consent. */
  public boolean sharedWithoutConsent() {
    return action == AuditAction.DELIVERED && !"consent".equals(legalBasis);
  }

  /** The canonical UTF-8 JSON of this event: the bytes its Merkle leaf hash covers. */
  public byte[] canonicalBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      if (seq != UNASSIGNED) {
        g.writeNumberField("seq", seq);
      }
      g.writeStringField("time", TIME.format(time));
      g.writeStringField("action", action.wire());
      optional(g, "actorAgency", actorAgency);
      optional(g, "actorClient", actorClient);
      optional(g, "messageId", messageId == null ? null : messageId.toString());
      optional(g, "messageType", messageType);
      optional(g, "caseRef", caseRef);
      optional(g, "recipient", recipient);
      optional(g, "legalBasis", legalBasis);
      optional(g, "reason", reason);
      if (!categories.isEmpty()) {
        g.writeArrayFieldStart("categories");
        for (String category : categories) {
          g.writeString(category);
        }
        g.writeEndArray();
      }
      optional(g, "justification", justification);
      if (!detail.isEmpty()) {
        g.writeObjectFieldStart("detail");
        for (Map.Entry<String, String> entry : detail.entrySet()) {
          g.writeStringField(entry.getKey(), entry.getValue());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write an audit event", e);
    }
    return out.toByteArray();
  }

  /** RFC 9162 leaf hash of {@link #canonicalBytes()}; only an appended event has one. */
  public byte[] leafHash() {
    if (seq == UNASSIGNED) {
      throw new IllegalStateException(
          "an event has a leaf hash only once the log has given it a seq");
    }
    return MerkleTree.leafHash(canonicalBytes());
  }

  /** The canonical JSON as text; {@link #fromJson(String)} reads it back to an equal event. */
  public String toJson() {
    return new String(canonicalBytes(), StandardCharsets.UTF_8);
  }

  /**
   * Reads an event strictly: unknown or duplicate fields, wrong types and trailing text are errors.
   */
  public static AuditEvent fromJson(String json) {
    try {
      return fromJson(MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an audit event: " + e.getOriginalMessage(), e);
    }
  }

  static AuditEvent fromJson(JsonNode node) {
    return AuditEventReader.read(node);
  }

  private static void optional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  private static void text(String field, String value, int max) {
    if (value == null) {
      return;
    }
    if (value.isEmpty() || value.length() > max) {
      throw new IllegalArgumentException(field + " must be 1 to " + max + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(field + " must not contain control characters");
      }
    }
    if (!wellFormedUnicode(value)) {
      throw new IllegalArgumentException(field + " is not well-formed Unicode");
    }
  }

  private static void code(String field, String value) {
    if (value != null && !CODE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field + " must be a code (letters, digits, . _ : / -), not free text");
    }
  }

  private static boolean wellFormedUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Builds an event field by field; unset fields are absent. */
  public static final class Builder {
    private final AuditAction action;
    private final Instant time;
    private String actorAgency;
    private String actorClient;
    private UUID messageId;
    private String messageType;
    private String caseRef;
    private String recipient;
    private String legalBasis;
    private String reason;
    private List<String> categories = List.of();
    private String justification;
    private final Map<String, String> detail = new LinkedHashMap<>();

    private Builder(AuditAction action, Instant time) {
      this.action = action;
      this.time = time;
    }

    public Builder actor(String agency, String client) {
      this.actorAgency = agency;
      this.actorClient = client;
      return this;
    }

    public Builder message(UUID messageId, String messageType, String caseRef) {
      this.messageId = messageId;
      this.messageType = messageType;
      this.caseRef = caseRef;
      return this;
    }

    public Builder caseRef(String caseRef) {
      this.caseRef = caseRef;
      return this;
    }

    public Builder recipient(String recipient) {
      this.recipient = recipient;
      return this;
    }

    public Builder legalBasis(String legalBasis, String justification) {
      this.legalBasis = legalBasis;
      this.justification = justification;
      return this;
    }

    public Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    public Builder categories(List<String> categories) {
      this.categories = categories;
      return this;
    }

    public Builder detail(String key, String value) {
      this.detail.put(key, value);
      return this;
    }

    public AuditEvent build() {
      return new AuditEvent(
          UNASSIGNED,
          time,
          action,
          actorAgency,
          actorClient,
          messageId,
          messageType,
          caseRef,
          recipient,
          legalBasis,
          reason,
          categories,
          justification,
          detail);
    }
  }
}
