package org.safehub.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.jcajce.JceGenericKey;

/**
 * The content encryptor of an AuthEnvelopedData (RFC 5084: id-aes256-GCM, 12-byte nonce, 16-byte
 * tag) backed by the JDK's AES-GCM, which uses the processor's AES and carry-less multiply
 * instructions; Bouncy Castle's CMS generator does everything else. Bouncy Castle's own {@code
 * JceCMSContentEncryptorBuilder} cannot use the JDK provider here (it asks for an AES key generator
 * by OID, which the JDK does not register), and its pure-Java GCM was a fifth of the sealing cost.
 * One instance seals one copy: a fresh key and a fresh random nonce each time.
 *
 * <p>The content is buffered and encrypted when the stream is closed, so additional authenticated
 * data may arrive in any order before that; copies are small (the hub caps messages at 256 KiB).
 */
final class JdkAesGcmEncryptor implements OutputAEADEncryptor {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BYTES = 16;

  private final SecretKey key;
  private final byte[] nonce = new byte[NONCE_BYTES];
  private final AlgorithmIdentifier algorithm;
  private final ByteArrayOutputStream aad = new ByteArrayOutputStream();
  private byte[] tag;

  JdkAesGcmEncryptor(SecureRandom random) throws GeneralSecurityException {
    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(256, random);
    this.key = generator.generateKey();
    random.nextBytes(nonce);
    this.algorithm =
        new AlgorithmIdentifier(
            NISTObjectIdentifiers.id_aes256_GCM, new GCMParameters(nonce, TAG_BYTES));
  }

  @Override
  public AlgorithmIdentifier getAlgorithmIdentifier() {
    return algorithm;
  }

  @Override
  public GenericKey getKey() {
    return new JceGenericKey(algorithm, key);
  }

  @Override
  public OutputStream getAADStream() {
    return aad;
  }

  @Override
  public OutputStream getOutputStream(OutputStream encryptedOut) {
    return new ByteArrayOutputStream() {
      private boolean closed;

      @Override
      public void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        byte[] sealed;
        try {
          Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
          cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
          if (aad.size() > 0) {
            cipher.updateAAD(aad.toByteArray());
          }
          sealed = cipher.doFinal(buf, 0, count);
        } catch (GeneralSecurityException e) {
          throw new IOException("AES-GCM encryption failed", e);
        }
        encryptedOut.write(sealed, 0, sealed.length - TAG_BYTES);
        tag = java.util.Arrays.copyOfRange(sealed, sealed.length - TAG_BYTES, sealed.length);
        java.util.Arrays.fill(buf, (byte) 0);
      }
    };
  }

  @Override
  public byte[] getMAC() {
    if (tag == null) {
      throw new IllegalStateException("the content stream was not closed");
    }
    return tag.clone();
  }
}
