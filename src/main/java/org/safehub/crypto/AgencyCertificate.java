package org.safehub.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * An agency's encryption certificate as the hub holds it: which agency, its key id (hex of the
 * first 16 bytes of the SHA-256 of the SubjectPublicKeyInfo), the certificate (a Bouncy Castle
 * object), its validity and whether it has been revoked. Only RSA (at least 2048 bits) and EC P-256
 * keys are accepted, since those are what a copy can be sealed for.
 */
public record AgencyCertificate(
    String agencyId,
    String keyId,
    X509Certificate certificate,
    Instant notBefore,
    Instant notAfter,
    boolean revoked) {
  static final int MIN_RSA_BITS = 2048;
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{32}");

  public AgencyCertificate {
    Objects.requireNonNull(agencyId, "agencyId");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    if (agencyId.isBlank()) {
      throw new IllegalArgumentException("agencyId is blank");
    }
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("keyId must be 32 lower-case hex digits");
    }
    if (!keyId.equals(keyIdOf(certificate))) {
      throw new IllegalArgumentException("keyId does not match the certificate's public key");
    }
    if (!notBefore.equals(certificate.getNotBefore().toInstant())
        || !notAfter.equals(certificate.getNotAfter().toInstant())) {
      throw new IllegalArgumentException("validity does not match the certificate");
    }
  }

  /**
   * Parses and checks one PEM certificate for {@code agencyId}. Rejects malformed PEM, anything but
   * one X.509 certificate, keys other than RSA >= 2048 bits or EC P-256, a keyUsage that forbids
   * the key's use for sealing, and certificates already expired.
   */
  public static AgencyCertificate parsePem(String agencyId, String pem) throws CryptoException {
    return parsePem(agencyId, pem, Clock.systemUTC().instant());
  }

  public static AgencyCertificate parsePem(String agencyId, String pem, Instant now)
      throws CryptoException {
    return of(agencyId, PemKeys.readCertificateHolder(pem), now);
  }

  /** The same checks as {@link #parsePem} for a certificate already decoded (e.g. stored DER). */
  public static AgencyCertificate of(String agencyId, X509Certificate certificate, Instant now)
      throws CryptoException {
    try {
      return of(agencyId, new X509CertificateHolder(certificate.getEncoded()), now);
    } catch (IOException | java.security.cert.CertificateEncodingException e) {
      throw new CryptoException("certificate cannot be encoded");
    }
  }

  private static AgencyCertificate of(String agencyId, X509CertificateHolder holder, Instant now)
      throws CryptoException {
    if (agencyId == null || agencyId.isBlank()) {
      throw new CryptoException("no agency id given");
    }
    RecipientKeyType type = checkPublicKey(holder.getSubjectPublicKeyInfo());
    checkKeyUsage(holder, type);
    Instant notAfter = holder.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw new CryptoException("certificate expired on " + notAfter);
    }
    X509Certificate certificate;
    try {
      certificate = Bc.certificate(holder);
      certificate.getPublicKey(); // decodes the key (an EC point must lie on the curve)
    } catch (Exception e) {
      throw new CryptoException("certificate's public key cannot be decoded");
    }
    return new AgencyCertificate(
        agencyId,
        keyIdOf(certificate),
        certificate,
        holder.getNotBefore().toInstant(),
        notAfter,
        false);
  }

  /** This certificate, marked revoked: it is never used for a new copy again. */
  public AgencyCertificate revoke() {
    return new AgencyCertificate(agencyId, keyId, certificate, notBefore, notAfter, true);
  }

  /**
   * Whether a new copy may be sealed for this certificate at {@code time}: not revoked, and within
   * its validity.
   */
  public boolean usableAt(Instant time) {
    return !revoked && !time.isBefore(notBefore) && !time.isAfter(notAfter);
  }

  public RecipientKeyType keyType() {
    return "RSA".equals(certificate.getPublicKey().getAlgorithm())
        ? RecipientKeyType.RSA
        : RecipientKeyType.EC_P256;
  }

  public String pem() {
    try {
      return PemKeys.certificatePem(certificate);
    } catch (CryptoException e) {
      throw new IllegalStateException(e); // it was decoded from DER, so it encodes
    }
  }

  @Override
  public String toString() {
    return "AgencyCertificate["
        + agencyId
        + ", keyId "
        + keyId
        + ", "
        + keyType()
        + ", "
        + notBefore
        + " to "
        + notAfter
        + (revoked ? ", revoked]" : "]");
  }

  /** Hex of the first 16 bytes of SHA-256 over the DER SubjectPublicKeyInfo. */
  public static String keyIdOf(X509Certificate certificate) {
    try {
      // the certificate's own SubjectPublicKeyInfo bytes, not a re-encoding of the decoded key
      byte[] spki =
          new X509CertificateHolder(certificate.getEncoded())
              .getSubjectPublicKeyInfo()
              .getEncoded(ASN1Encoding.DER);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
      return HexFormat.of().formatHex(Arrays.copyOf(digest, 16));
    } catch (NoSuchAlgorithmException
        | IOException
        | java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded", e);
    }
  }

  private static RecipientKeyType checkPublicKey(SubjectPublicKeyInfo spki) throws CryptoException {
    ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      BigInteger modulus;
      try {
        modulus = RSAPublicKey.getInstance(spki.parsePublicKey()).getModulus();
      } catch (IOException | RuntimeException e) {
        throw new CryptoException("certificate's RSA public key is malformed");
      }
      if (modulus.bitLength() < MIN_RSA_BITS) {
        throw new CryptoException(
            "RSA key of "
                + modulus.bitLength()
                + " bits is too weak (at least "
                + MIN_RSA_BITS
                + " bits required)");
      }
      return RecipientKeyType.RSA;
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      if (!(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve)) {
        throw new CryptoException(
            "EC key with explicit or absent curve parameters is not supported (only the named curve P-256)");
      }
      if (!SECObjectIdentifiers.secp256r1.equals(curve)) {
        String name = NISTNamedCurves.getName(curve);
        throw new CryptoException(
            "EC key on curve "
                + (name != null ? name + " (" + curve.getId() + ")" : curve.getId())
                + " is not supported (only P-256)");
      }
      return RecipientKeyType.EC_P256;
    }
    throw new CryptoException(
        "unsupported public key algorithm "
            + algorithmName(algorithm)
            + "; only RSA (at least "
            + MIN_RSA_BITS
            + " bits) and EC P-256 are accepted");
  }

  private static void checkKeyUsage(X509CertificateHolder holder, RecipientKeyType type)
      throws CryptoException {
    KeyUsage usage = KeyUsage.fromExtensions(holder.getExtensions());
    if (usage == null) {
      return; // no restriction
    }
    if (type == RecipientKeyType.RSA && !usage.hasUsages(KeyUsage.keyEncipherment)) {
      throw new CryptoException(
          "certificate keyUsage does not allow keyEncipherment, which RSA key transport needs");
    }
    if (type == RecipientKeyType.EC_P256 && !usage.hasUsages(KeyUsage.keyAgreement)) {
      throw new CryptoException(
          "certificate keyUsage does not allow keyAgreement, which ECDH needs");
    }
  }

  private static String algorithmName(ASN1ObjectIdentifier oid) {
    String name;
    if (X9ObjectIdentifiers.id_dsa.equals(oid) || OIWObjectIdentifiers.dsaWithSHA1.equals(oid)) {
      name = "DSA";
    } else if (PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid)) {
      name = "RSASSA-PSS";
    } else if (PKCSObjectIdentifiers.id_RSAES_OAEP.equals(oid)) {
      name = "RSAES-OAEP";
    } else if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
      name = "Ed25519";
    } else if (EdECObjectIdentifiers.id_X25519.equals(oid)) {
      name = "X25519";
    } else if (X9ObjectIdentifiers.dhpublicnumber.equals(oid)
        || PKCSObjectIdentifiers.dhKeyAgreement.equals(oid)) {
      name = "DH";
    } else {
      return oid.getId();
    }
    return name + " (" + oid.getId() + ")";
  }
}
