package org.safehub.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Base64;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.CopyOpener;
import org.safehub.crypto.PemKeys;

/**
 * Opens sealed inbox items the way an agency would: its own private key, and the hub's certificate.
 */
public final class SealedCopies {

  /** Where the test hub keeps its keys (safehub.data-dir in the test profile). */
  public static final Path KEYS = Path.of("target", "test-data", "keys");

  private SealedCopies() {}

  public static Path agencyKey(String agency) {
    return AgencyKeyGenerator.keyFile(KEYS.resolve("agencies"), agency);
  }

  public static Path agencyCert(String agency) {
    return AgencyKeyGenerator.certificateFile(KEYS.resolve("agencies"), agency);
  }

  public static Path hubCert() {
    return KEYS.resolve("hub.cert.pem");
  }

  /** The decrypted, signature-checked document of an inbox item addressed to {@code agency}. */
  public static JsonNode open(String agency, JsonNode item) {
    if (!"cms".equals(item.path("format").asText())) {
      throw new AssertionError("inbox item is not sealed: " + item.path("format"));
    }
    try {
      byte[] der = Base64.getDecoder().decode(item.get("copy").asText());
      CopyOpener.Opened opened =
          new CopyOpener()
              .open(
                  der,
                  PemKeys.readPrivateKey(agencyKey(agency)),
                  PemKeys.readCertificate(agencyCert(agency)),
                  PemKeys.readCertificate(hubCert()));
      return TestMessages.MAPPER.readTree(opened.content());
    } catch (Exception e) {
      throw new AssertionError("cannot open sealed copy for " + agency + ": " + e.getMessage(), e);
    }
  }
}
