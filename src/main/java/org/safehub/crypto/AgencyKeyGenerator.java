package org.safehub.crypto;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Demo only: makes an agency key pair and a self-signed certificate (RSA-3072 or EC P-256) and
 * writes {@code <dir>/<agencyId>.key.pem} (PKCS#8, mode 0600) and {@code
 * <dir>/<agencyId>.cert.pem}. A real agency makes its own key and gives the hub only the
 * certificate.
 */
public final class AgencyKeyGenerator {
  static final int RSA_BITS = 3072;
  private static final Pattern AGENCY_ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,63}");

  private AgencyKeyGenerator() {}

  public static Path keyFile(Path dir, String agencyId) {
    return dir.resolve(agencyId + ".key.pem");
  }

  public static Path certificateFile(Path dir, String agencyId) {
    return dir.resolve(agencyId + ".cert.pem");
  }

  /** Generates and writes a new key and certificate; refuses to overwrite an existing key file. */
  public static AgencyCertificate generate(String agencyId, RecipientKeyType type, Path dir)
      throws CryptoException {
    return generate(agencyId, type, dir, Clock.systemUTC());
  }

  /**
   * The certificate already in {@code dir} for this agency if both files are there, else a new one.
   */
  public static AgencyCertificate loadOrGenerate(String agencyId, RecipientKeyType type, Path dir)
      throws CryptoException {
    checkAgencyId(agencyId);
    Path cert = certificateFile(dir, agencyId);
    if (Files.exists(keyFile(dir, agencyId)) && Files.exists(cert)) {
      try {
        return AgencyCertificate.parsePem(agencyId, Files.readString(cert));
      } catch (java.io.IOException e) {
        throw new CryptoException("cannot read " + cert + ": " + PemKeys.safe(e.getMessage()));
      }
    }
    return generate(agencyId, type, dir);
  }

  static AgencyCertificate generate(String agencyId, RecipientKeyType type, Path dir, Clock clock)
      throws CryptoException {
    checkAgencyId(agencyId);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(dir, "dir");
    Path keyFile = keyFile(dir, agencyId);
    if (Files.exists(keyFile)) {
      throw new CryptoException(
          "agency key file " + keyFile + " already exists; not overwriting a key");
    }
    KeyPair pair;
    try {
      KeyPairGenerator generator;
      if (type == RecipientKeyType.RSA) {
        generator = KeyPairGenerator.getInstance("RSA", Bc.PROVIDER);
        generator.initialize(RSA_BITS, Bc.RANDOM);
      } else {
        generator = KeyPairGenerator.getInstance("EC", Bc.PROVIDER);
        generator.initialize(new ECGenParameterSpec("secp256r1"), Bc.RANDOM);
      }
      pair = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new CryptoException("agency key could not be generated", e);
    }
    Instant now = clock.instant();
    Instant notBefore = now.minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter =
        now.atOffset(ZoneOffset.UTC).plusYears(2).toInstant().truncatedTo(ChronoUnit.SECONDS);
    int usage =
        KeyUsage.digitalSignature
            | (type == RecipientKeyType.RSA ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement);
    var subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Safehub demo agency")
            .addRDN(BCStyle.CN, agencyId)
            .build();
    var certificate = SelfSigned.certificate(pair, subject, notBefore, notAfter, usage);
    PemKeys.writePrivateKey(keyFile, pair.getPrivate());
    PemKeys.writeCertificate(certificateFile(dir, agencyId), certificate);
    return AgencyCertificate.of(agencyId, certificate, now);
  }

  private static void checkAgencyId(String agencyId) throws CryptoException {
    // it becomes a file name: a slug only, so no path can be smuggled in
    if (agencyId == null || !AGENCY_ID.matcher(agencyId).matches()) {
      throw new CryptoException(
          "agency id must be a slug (lower-case letters, digits, '-'), got "
              + (agencyId == null ? "none" : "'" + PemKeys.safe(agencyId) + "'"));
    }
  }
}
