package org.safehub.crypto;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.safehub.config.SafehubConfig;

/**
 * The hub's own keys, kept in one PKCS#12 key store: entry {@value #SIGNING_ALIAS}, an ECDSA P-256
 * signing key with its self-signed certificate (CN=Safehub hub, two years, keyUsage
 * digitalSignature), and entry {@value #KEK_ALIAS}, the AES-256 key-encryption key for at-rest
 * sealing, as a PKCS#12 secret-key entry (the JDK's PKCS12 key store holds those natively), and
 * entry {@value #AUDIT_ALIAS}, the AES-256 audit key that seals the written justifications in the
 * audit log (kept apart from the KEK so it can be destroyed for retention without touching anything
 * else). The store is created on first use (file mode 0600) and only ever loaded afterwards, except
 * that a store without an audit key gets one added; an inconsistent store stops start-up.
 */
@Singleton
public final class HubKeys {
  static final String SIGNING_ALIAS = "hub-signing";
  static final String KEK_ALIAS = "hub-kek";
  static final String AUDIT_ALIAS = "hub-audit-key";
  static final String SUBJECT = "CN=Safehub hub";

  private final Path location;
  private final boolean created;
  private final HubSigningKey signingKey;
  private final KeyEncryptionKey kek;
  private final KeyEncryptionKey auditKey;

  /**
   * The hub's keys from {@code safehub.keys.hub-keystore} (default: data-dir/keys/hub.p12), created
   * there if missing.
   */
  @Inject
  public HubKeys(SafehubConfig config) {
    this(loadConfigured(config));
  }

  private HubKeys(HubKeys loaded) {
    this(loaded.location, loaded.created, loaded.signingKey, loaded.kek, loaded.auditKey);
  }

  private static HubKeys loadConfigured(SafehubConfig config) {
    Path keystore =
        config.keys().hubKeystore().orElse(config.dataDir().resolve("keys").resolve("hub.p12"));
    try {
      return loadOrCreate(keystore, config.keys().hubKeystorePassword().toCharArray());
    } catch (CryptoException e) {
      throw new IllegalStateException(
          "cannot load the hub's keys from " + keystore + ": " + e.getMessage());
    }
  }

  private HubKeys(
      Path location,
      boolean created,
      HubSigningKey signingKey,
      KeyEncryptionKey kek,
      KeyEncryptionKey auditKey) {
    this.location = location;
    this.created = created;
    this.signingKey = signingKey;
    this.kek = kek;
    this.auditKey = auditKey;
  }

  /**
   * Loads the hub's keys from {@code keystore}, or, if there is no such file, generates them and
   * saves them there first. The password protects the store and each entry; it is not kept.
   */
  public static HubKeys loadOrCreate(Path keystore, char[] password) throws CryptoException {
    return loadOrCreate(keystore, password, Clock.systemUTC());
  }

  static HubKeys loadOrCreate(Path keystore, char[] password, Clock clock) throws CryptoException {
    Objects.requireNonNull(keystore, "keystore");
    if (password == null || password.length == 0) {
      throw new CryptoException("a password is required for the hub key store " + keystore);
    }
    if (Files.exists(keystore)) {
      return load(keystore, password, clock.instant());
    }
    return create(keystore, password, clock.instant());
  }

  /** Where the key store is. */
  public Path location() {
    return location;
  }

  /** Whether this call generated the keys (so start-up can say where they are). */
  public boolean created() {
    return created;
  }

  public X509Certificate signingCertificate() {
    return signingKey.certificate();
  }

  public String signingCertificatePem() {
    try {
      return PemKeys.certificatePem(signingKey.certificate());
    } catch (CryptoException e) {
      throw new IllegalStateException(e); // was encoded when loaded
    }
  }

  /**
   * The public key that verifies the hub's signatures (copies and audit), as PEM
   * SubjectPublicKeyInfo.
   */
  public String verificationKeyPem() {
    return PemKeys.publicKeyPem(signingKey.certificate().getPublicKey());
  }

  public HubSigningKey signingKey() {
    return signingKey;
  }

  public KeyEncryptionKey keyEncryptionKey() {
    return kek;
  }

  /**
   * The key that wraps the data keys sealing audit justifications (see {@link
   * SealedJustifications}).
   */
  public KeyEncryptionKey auditKey() {
    return auditKey;
  }

  @Override
  public String toString() {
    return "HubKeys[" + location + "]";
  }

  private static HubKeys create(Path file, char[] password, Instant now) throws CryptoException {
    KeyPair pair;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", Bc.PROVIDER);
      generator.initialize(new ECGenParameterSpec("secp256r1"), Bc.RANDOM);
      pair = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new CryptoException("hub signing key could not be generated", e);
    }
    Instant notBefore =
        now.minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS); // allow for clock skew
    Instant notAfter =
        now.atOffset(ZoneOffset.UTC).plusYears(2).toInstant().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate certificate =
        SelfSigned.certificate(
            pair, new X500Name(SUBJECT), notBefore, notAfter, KeyUsage.digitalSignature);
    KeyEncryptionKey kek = KeyEncryptionKey.generate();
    KeyEncryptionKey auditKey = KeyEncryptionKey.generate();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(password);
      store.setEntry(
          SIGNING_ALIAS,
          new KeyStore.PrivateKeyEntry(pair.getPrivate(), new Certificate[] {certificate}),
          protection);
      store.setEntry(KEK_ALIAS, new KeyStore.SecretKeyEntry(kek.secretKey()), protection);
      store.setEntry(AUDIT_ALIAS, new KeyStore.SecretKeyEntry(auditKey.secretKey()), protection);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password);
      byte[] bytes = out.toByteArray();
      KeyFiles.writePrivate(file, bytes);
      Arrays.fill(bytes, (byte) 0);
    } catch (GeneralSecurityException | IOException e) {
      kek.destroy();
      auditKey.destroy();
      throw new CryptoException(
          "hub key store " + file + " could not be written: " + PemKeys.safe(e.getMessage()));
    }
    return new HubKeys(
        file, true, new HubSigningKey(pair.getPrivate(), certificate), kek, auditKey);
  }

  private static HubKeys load(Path file, char[] password, Instant now) throws CryptoException {
    KeyStore store;
    try {
      byte[] bytes = Files.readAllBytes(file);
      store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), password);
      Arrays.fill(bytes, (byte) 0);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new CryptoException("hub key store " + file + ": wrong password");
      }
      throw new CryptoException(
          "hub key store " + file + " cannot be read (not a PKCS#12 file, or corrupt)");
    } catch (GeneralSecurityException e) {
      throw new CryptoException(
          "hub key store " + file + " cannot be read: " + PemKeys.safe(e.getMessage()));
    }
    HubSigningKey signingKey = loadSigningKey(store, file, password, now);
    KeyEncryptionKey kek = loadKek(store, file, password, KEK_ALIAS);
    KeyEncryptionKey auditKey;
    try {
      auditKey =
          store.containsAlias(AUDIT_ALIAS)
              ? loadKek(store, file, password, AUDIT_ALIAS)
              : addAuditKey(store, file, password);
    } catch (java.security.KeyStoreException e) {
      throw new CryptoException(
          "hub key store " + file + " cannot be read: " + PemKeys.safe(e.getMessage()));
    }
    return new HubKeys(file, false, signingKey, kek, auditKey);
  }

  /**
   * A store from before the audit key (or whose audit key was destroyed for retention) gets a new
   * one.
   */
  private static KeyEncryptionKey addAuditKey(KeyStore store, Path file, char[] password)
      throws CryptoException {
    KeyEncryptionKey auditKey = KeyEncryptionKey.generate();
    try {
      store.setEntry(
          AUDIT_ALIAS,
          new KeyStore.SecretKeyEntry(auditKey.secretKey()),
          new KeyStore.PasswordProtection(password));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password);
      byte[] bytes = out.toByteArray();
      KeyFiles.writePrivate(file, bytes);
      Arrays.fill(bytes, (byte) 0);
    } catch (GeneralSecurityException | IOException e) {
      auditKey.destroy();
      throw new CryptoException(
          "hub key store "
              + file
              + ": the audit key could not be added: "
              + PemKeys.safe(e.getMessage()));
    }
    return auditKey;
  }

  private static HubSigningKey loadSigningKey(
      KeyStore store, Path file, char[] password, Instant now) throws CryptoException {
    Key key;
    Certificate cert;
    try {
      key = store.getKey(SIGNING_ALIAS, password);
      cert = store.getCertificate(SIGNING_ALIAS);
    } catch (GeneralSecurityException e) {
      throw new CryptoException(
          "hub key store "
              + file
              + ": entry "
              + SIGNING_ALIAS
              + " cannot be read with this password");
    }
    if (!(key instanceof PrivateKey privateKey) || !(cert instanceof X509Certificate x509)) {
      throw new CryptoException(
          "hub key store "
              + file
              + " has no private key entry "
              + SIGNING_ALIAS
              + " with a certificate");
    }
    X509Certificate bcCert = Bc.certificate(x509);
    if (!(bcCert.getPublicKey() instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new CryptoException("hub key store " + file + ": the signing key is not EC P-256");
    }
    if (now.isAfter(bcCert.getNotAfter().toInstant())) {
      throw new CryptoException(
          "hub key store "
              + file
              + ": the hub signing certificate expired on "
              + bcCert.getNotAfter().toInstant()
              + "; replace the key store");
    }
    PrivateKey bcKey = Bc.privateKey(privateKey);
    try {
      // the key must belong to the certificate, or every copy would fail verification downstream
      byte[] probe = "safehub key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(HubSigningKey.SIGNATURE_ALGORITHM, Bc.PROVIDER);
      signer.initSign(bcKey, Bc.RANDOM);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(HubSigningKey.SIGNATURE_ALGORITHM, Bc.PROVIDER);
      verifier.initVerify(bcCert.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new CryptoException(
            "hub key store " + file + ": the signing key does not match its certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new CryptoException("hub key store " + file + ": the signing key is not usable", e);
    }
    return new HubSigningKey(bcKey, bcCert);
  }

  private static KeyEncryptionKey loadKek(KeyStore store, Path file, char[] password, String alias)
      throws CryptoException {
    Key key;
    try {
      key = store.getKey(alias, password);
    } catch (GeneralSecurityException e) {
      throw new CryptoException(
          "hub key store " + file + ": entry " + alias + " cannot be read with this password");
    }
    if (!(key instanceof SecretKey secret) || !"AES".equalsIgnoreCase(secret.getAlgorithm())) {
      throw new CryptoException("hub key store " + file + " has no AES secret-key entry " + alias);
    }
    byte[] bytes = secret.getEncoded();
    if (bytes == null || bytes.length != KeyEncryptionKey.KEY_BYTES) {
      throw new CryptoException("hub key store " + file + ": entry " + alias + " is not AES-256");
    }
    try {
      secret.destroy();
    } catch (javax.security.auth.DestroyFailedException | RuntimeException ignored) {
      // the JDK's SecretKeySpec cannot be destroyed; our own copy can
    }
    return new KeyEncryptionKey(new DestroyableAesKey(bytes));
  }
}
