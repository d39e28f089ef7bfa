package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JceGenericKey;
import org.junit.jupiter.api.Test;

/** The JDK-backed AES-256-GCM content encryptor that CMS sealing uses (RFC 5084 parameters). */
class JdkAesGcmEncryptorTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void ciphertextAndTagDecryptWithTheAnnouncedNonceAndKeyAndAad() throws Exception {
    JdkAesGcmEncryptor encryptor = new JdkAesGcmEncryptor(RANDOM);
    byte[] content = "a copy for one agency".getBytes(StandardCharsets.UTF_8);
    byte[] aad = {1, 2, 3};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStream stream = encryptor.getOutputStream(out);
    stream.write(content);
    encryptor
        .getAADStream()
        .write(aad); // after the content, as Bouncy Castle's generator writes it
    stream.close();

    assertEquals(
        NISTObjectIdentifiers.id_aes256_GCM, encryptor.getAlgorithmIdentifier().getAlgorithm());
    GCMParameters params =
        GCMParameters.getInstance(encryptor.getAlgorithmIdentifier().getParameters());
    assertEquals(12, params.getNonce().length);
    assertEquals(16, params.getIcvLen());
    byte[] key = keyBytes(encryptor);
    assertEquals(32, key.length, "AES-256");

    byte[] sealed = concat(out.toByteArray(), encryptor.getMAC());
    assertEquals(content.length, out.size(), "the tag is not in the content stream");
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, params.getNonce()));
    cipher.updateAAD(aad);
    assertArrayEquals(content, cipher.doFinal(sealed));

    sealed[0] ^= 1;
    cipher.init(
        Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, params.getNonce()));
    cipher.updateAAD(aad);
    byte[] tampered = sealed;
    assertThrows(AEADBadTagException.class, () -> cipher.doFinal(tampered));
  }

  @Test
  void everyEncryptorHasItsOwnKeyAndNonce() throws Exception {
    JdkAesGcmEncryptor a = new JdkAesGcmEncryptor(RANDOM);
    JdkAesGcmEncryptor b = new JdkAesGcmEncryptor(RANDOM);
    assertFalse(
        Arrays.equals(
            GCMParameters.getInstance(a.getAlgorithmIdentifier().getParameters()).getNonce(),
            GCMParameters.getInstance(b.getAlgorithmIdentifier().getParameters()).getNonce()));
    assertFalse(Arrays.equals(keyBytes(a), keyBytes(b)));
  }

  @Test
  void theTagIsUnavailableUntilTheContentIsClosed() throws Exception {
    JdkAesGcmEncryptor encryptor = new JdkAesGcmEncryptor(RANDOM);
    encryptor.getOutputStream(new ByteArrayOutputStream()).write(42);
    assertThrows(IllegalStateException.class, encryptor::getMAC);
  }

  /** The content key as the recipient-info generators see it. */
  private static byte[] keyBytes(JdkAesGcmEncryptor encryptor) {
    Object representation = ((JceGenericKey) encryptor.getKey()).getRepresentation();
    return representation instanceof java.security.Key k ? k.getEncoded() : (byte[]) representation;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
