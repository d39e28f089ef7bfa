package org.safehub.sealing;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyWriter;
import org.safehub.copy.JsonCopyWriter;
import org.safehub.copy.Notice;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.CopySealer;
import org.safehub.crypto.CryptoException;
import org.safehub.db.ReadsTogether;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.validation.StrictJson;

/**
 * Seals each copy for its recipient alone: the copy document, signed by the hub (CMS SignedData),
 * then enveloped with AES-256-GCM for the agency's newest valid certificate (AuthEnvelopedData). No
 * usable certificate, or any sealing error, and the copy is withheld: never sent in plaintext.
 */
@Singleton
public final class SealingCopyWriter implements CopyWriter {

  public static final String FORMAT = "cms";

  private final AgencyKeyDirectory keys;
  private final CopySealer sealer;
  private final JsonCopyWriter documents;
  private final ObjectMapper mapper;
  private Map<String, List<AgencyCertificate>> certificates = Map.of();
  // whether the batch's read together has set certificates since the last beginBatch
  private boolean fresh;

  @Inject
  public SealingCopyWriter(AgencyKeyDirectory keys, CopySealer sealer, StrictJson json) {
    this(keys, sealer, json.mapper());
  }

  public SealingCopyWriter(AgencyKeyDirectory keys, CopySealer sealer, ObjectMapper mapper) {
    this.keys = keys;
    this.sealer = sealer;
    this.mapper = mapper;
    this.documents = new JsonCopyWriter(mapper);
  }

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public ReadsTogether.Read batchRead() {
    fresh = false;
    return keys.allRead(
        all -> {
          certificates = all;
          fresh = true;
        });
  }

  /** Reads the agencies' certificates, unless the batch's read together already did. */
  @Override
  public void beginBatch() throws Exception {
    if (!fresh) {
      certificates = keys.all();
    }
    fresh = false;
  }

  @Override
  public byte[] write(Copy copy) throws Exception {
    return sealer.seal(
        mapper.writeValueAsBytes(documents.document(copy)), certificateOf(copy.recipient().id()));
  }

  @Override
  public byte[] writeNotice(Notice notice) throws Exception {
    return sealer.seal(
        mapper.writeValueAsBytes(notice.content()), certificateOf(notice.recipient()));
  }

  private AgencyCertificate certificateOf(String agencyId) throws CryptoException {
    return AgencyKeyDirectory.current(certificates.getOrDefault(agencyId, List.of()), Instant.now())
        .orElseThrow(() -> new CryptoException("no valid certificate for the recipient"));
  }
}
