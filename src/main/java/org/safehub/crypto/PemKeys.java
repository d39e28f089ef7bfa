package org.safehub.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reads and writes PEM: PKCS#8 ("PRIVATE KEY") and traditional ("RSA PRIVATE KEY", "EC PRIVATE
 * KEY") private keys, X.509 certificates and public keys. Keys and certificates read come back as
 * Bouncy Castle objects. Encrypted private keys are refused rather than half-supported.
 */
public final class PemKeys {
  private PemKeys() {}

  /**
   * The one private key in {@code pem} (a leading "EC PARAMETERS" block, as openssl writes, is
   * allowed).
   */
  public static PrivateKey readPrivateKey(String pem) throws CryptoException {
    if (pem == null || pem.isBlank()) {
      throw new CryptoException("no PEM data");
    }
    List<Object> keys = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof ASN1ObjectIdentifier || o instanceof X9ECParameters) {
          continue; // EC PARAMETERS block
        }
        keys.add(o);
      }
    } catch (IOException | RuntimeException e) {
      throw new CryptoException("malformed PEM private key: " + safe(e.getMessage()));
    }
    if (keys.isEmpty()) {
      throw new CryptoException("no PEM private key block found");
    }
    if (keys.size() > 1) {
      throw new CryptoException(
          "expected exactly one PEM private key, found " + keys.size() + " PEM blocks");
    }
    Object o = keys.get(0);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Bc.PROVIDER);
    try {
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
    } catch (IOException | RuntimeException e) {
      throw new CryptoException("PEM private key is not a usable RSA or EC key", e);
    }
    if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
      throw new CryptoException(
          "encrypted PEM private keys are not supported; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)");
    }
    throw new CryptoException(
        "PEM block is not a private key (found " + o.getClass().getSimpleName() + ")");
  }

  public static PrivateKey readPrivateKey(Path file) throws CryptoException {
    return readPrivateKey(readFile(file));
  }

  /**
   * The one X.509 certificate in {@code pem}; no policy checks (see {@link
   * AgencyCertificate#parsePem}).
   */
  public static X509Certificate readCertificate(String pem) throws CryptoException {
    try {
      return Bc.certificate(readCertificateHolder(pem));
    } catch (CryptoException e) {
      throw e;
    } catch (Exception e) {
      throw new CryptoException("PEM block does not hold a usable X.509 certificate", e);
    }
  }

  public static X509Certificate readCertificate(Path file) throws CryptoException {
    return readCertificate(readFile(file));
  }

  /**
   * Strict: exactly one PEM block, of type CERTIFICATE, holding exactly one DER X.509 certificate.
   */
  static X509CertificateHolder readCertificateHolder(String pem) throws CryptoException {
    if (pem == null || pem.isBlank()) {
      throw new CryptoException("no PEM data");
    }
    List<PemObject> blocks = new ArrayList<>();
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject o;
      while ((o = reader.readPemObject()) != null) {
        blocks.add(o);
      }
    } catch (IOException | RuntimeException e) {
      throw new CryptoException("malformed PEM: " + safe(e.getMessage()));
    }
    if (blocks.isEmpty()) {
      throw new CryptoException("malformed PEM: no -----BEGIN CERTIFICATE----- block found");
    }
    if (blocks.size() > 1) {
      throw new CryptoException(
          "expected exactly one PEM certificate, found " + blocks.size() + " PEM blocks");
    }
    PemObject block = blocks.get(0);
    if (!"CERTIFICATE".equals(block.getType())) {
      throw new CryptoException(
          "expected a PEM block of type CERTIFICATE, found " + safe(block.getType()));
    }
    try {
      return new X509CertificateHolder(
          Certificate.getInstance(ASN1Primitive.fromByteArray(block.getContent())));
    } catch (IOException | RuntimeException e) {
      throw new CryptoException("PEM CERTIFICATE block does not hold a DER X.509 certificate");
    }
  }

  public static String certificatePem(X509Certificate cert) throws CryptoException {
    try {
      return pem("CERTIFICATE", cert.getEncoded());
    } catch (Exception e) {
      throw new CryptoException("certificate cannot be encoded", e);
    }
  }

  /** The public key as a PEM SubjectPublicKeyInfo ("PUBLIC KEY"). */
  public static String publicKeyPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  /**
   * The private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"); for agency and demo keys, never the
   * hub's.
   */
  public static String privateKeyPem(PrivateKey key) throws CryptoException {
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new CryptoException("private key cannot be exported as PKCS#8");
    }
    try {
      return pem("PRIVATE KEY", der);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** Writes the private key as PKCS#8 PEM, readable by the owner only (0600). */
  public static void writePrivateKey(Path file, PrivateKey key) throws CryptoException {
    byte[] bytes = privateKeyPem(key).getBytes(StandardCharsets.US_ASCII);
    try {
      KeyFiles.writePrivate(file, bytes);
    } catch (IOException e) {
      throw new CryptoException(
          "cannot write private key file " + file + ": " + safe(e.getMessage()));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  public static void writeCertificate(Path file, X509Certificate cert) throws CryptoException {
    try {
      KeyFiles.writePublic(file, certificatePem(cert).getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new CryptoException(
          "cannot write certificate file " + file + ": " + safe(e.getMessage()));
    }
  }

  static String pem(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static String readFile(Path file) throws CryptoException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new CryptoException("cannot read " + file + ": " + safe(e.getMessage()));
    }
  }

  /**
   * Text that came from input or a library, cut short and stripped to printable ASCII before it
   * goes in a message.
   */
  static String safe(String s) {
    if (s == null) {
      return "(no detail)";
    }
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
  }
}
