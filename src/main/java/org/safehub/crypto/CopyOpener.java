package org.safehub.crypto;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSAuthEnvelopedData;
import org.bouncycastle.cms.CMSProcessable;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSVerifierCertificateNotValidException;
import org.bouncycastle.cms.KeyAgreeRecipientInformation;
import org.bouncycastle.cms.KeyTransRecipientInformation;
import org.bouncycastle.cms.Recipient;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceKeyAgreeAuthEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * What an agency runs on a sealed copy: decrypts the AuthEnvelopedData with its private key (the
 * AES-GCM tag is checked), then verifies the hub's SignedData against the hub certificate it trusts
 * (the signer certificate in the copy must be that very certificate) and returns the content and
 * the signing time. Any failure is a {@link CryptoException}; nothing unverified is returned.
 * Thread-safe and stateless.
 */
public final class CopyOpener {

  /** An opened, verified copy: the content the hub signed, and when it signed it. */
  public record Opened(byte[] content, Instant signingTime) {
    public Opened {
      Objects.requireNonNull(content, "content");
      Objects.requireNonNull(signingTime, "signingTime");
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Opened other
          && Arrays.equals(content, other.content)
          && signingTime.equals(other.signingTime);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(content) + signingTime.hashCode();
    }

    @Override
    public String toString() {
      return "Opened[" + content.length + " bytes, signed " + signingTime + "]";
    }
  }

  public Opened open(
      byte[] der, PrivateKey agencyKey, X509Certificate agencyCert, X509Certificate trustedHubCert)
      throws CryptoException {
    Objects.requireNonNull(der, "der");
    Objects.requireNonNull(agencyKey, "agencyKey");
    Objects.requireNonNull(agencyCert, "agencyCert");
    Objects.requireNonNull(trustedHubCert, "trustedHubCert");
    byte[] signed = decrypt(der, Bc.privateKey(agencyKey), holder(agencyCert, "agency"));
    return verify(signed, holder(trustedHubCert, "trusted hub"));
  }

  @SuppressWarnings("unchecked") // RecipientId is a raw Selector
  private static byte[] decrypt(byte[] der, PrivateKey key, X509CertificateHolder agencyCert)
      throws CryptoException {
    CMSAuthEnvelopedData enveloped;
    try {
      ContentInfo info = ContentInfo.getInstance(ASN1Primitive.fromByteArray(der));
      if (!CMSObjectIdentifiers.authEnvelopedData.equals(info.getContentType())) {
        throw new CryptoException(
            "not a sealed copy: CMS content type is "
                + info.getContentType().getId()
                + ", expected authEnvelopedData");
      }
      enveloped = new CMSAuthEnvelopedData(info);
    } catch (CryptoException e) {
      throw e;
    } catch (Exception e) {
      throw new CryptoException("not a sealed copy: malformed CMS");
    }
    if (!CMSAlgorithm.AES256_GCM.getId().equals(enveloped.getEncryptionAlgOID())) {
      throw new CryptoException(
          "sealed copy uses content encryption "
              + enveloped.getEncryptionAlgOID()
              + ", expected AES-256-GCM");
    }
    List<RecipientInformation> mine = new ArrayList<>();
    for (RecipientInformation r : enveloped.getRecipientInfos().getRecipients()) {
      if (r.getRID().match(agencyCert)) {
        mine.add(r);
      }
    }
    if (mine.isEmpty()) {
      throw new CryptoException("sealed copy is not addressed to this agency certificate");
    }
    RecipientInformation recipient = mine.get(0);
    Recipient opener;
    if (recipient instanceof KeyTransRecipientInformation) {
      opener =
          new JceKeyTransAuthEnvelopedRecipient(key)
              .setProvider(Bc.PROVIDER)
              .setContentProvider(Bc.PROVIDER);
    } else if (recipient instanceof KeyAgreeRecipientInformation) {
      opener =
          new JceKeyAgreeAuthEnvelopedRecipient(key)
              .setProvider(Bc.PROVIDER)
              .setContentProvider(Bc.PROVIDER);
    } else {
      throw new CryptoException("sealed copy uses an unsupported recipient-info type");
    }
    if (!CMSObjectIdentifiers.data.equals(recipient.getContentType())) {
      throw new CryptoException(
          "sealed copy carries content type "
              + recipient.getContentType().getId()
              + ", expected data");
    }
    try {
      return recipient.getContent(opener);
    } catch (Exception e) {
      if (causedBy(e, AEADBadTagException.class) || causedBy(e, InvalidCipherTextException.class)) {
        throw new CryptoException(
            "sealed copy failed authentication: it was altered, or is not for this key");
      }
      throw new CryptoException("sealed copy cannot be decrypted with this private key");
    }
  }

  private static Opened verify(byte[] signed, X509CertificateHolder trustedHub)
      throws CryptoException {
    CMSSignedData signedData;
    try {
      ContentInfo info = ContentInfo.getInstance(ASN1Primitive.fromByteArray(signed));
      if (!CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
        throw new CryptoException(
            "decrypted copy is not signed: content type " + info.getContentType().getId());
      }
      signedData = new CMSSignedData(info);
    } catch (CryptoException e) {
      throw e;
    } catch (Exception e) {
      throw new CryptoException("decrypted copy is not a well-formed CMS SignedData");
    }
    if (!CMSObjectIdentifiers.data.getId().equals(signedData.getSignedContentTypeOID())) {
      throw new CryptoException(
          "signed copy carries content type "
              + signedData.getSignedContentTypeOID()
              + ", expected data");
    }
    Collection<SignerInformation> signers = signedData.getSignerInfos().getSigners();
    if (signers.size() != 1) {
      throw new CryptoException(
          "signed copy has " + signers.size() + " signatures, expected exactly one (the hub's)");
    }
    SignerInformation signer = signers.iterator().next();
    @SuppressWarnings("unchecked")
    Collection<X509CertificateHolder> signerCerts =
        signedData.getCertificates().getMatches(signer.getSID());
    if (signerCerts.isEmpty()) {
      throw new CryptoException("signed copy does not carry its signer's certificate");
    }
    for (X509CertificateHolder c : signerCerts) {
      if (!c.equals(trustedHub)) {
        throw new CryptoException(
            "copy was signed by a certificate other than the trusted hub certificate");
      }
    }
    if (!signer.getSID().match(trustedHub)) {
      throw new CryptoException(
          "copy was signed by a certificate other than the trusted hub certificate");
    }
    Attribute timeAttribute =
        signer.getSignedAttributes() == null
            ? null
            : signer.getSignedAttributes().get(CMSAttributes.signingTime);
    if (timeAttribute == null || timeAttribute.getAttrValues().size() != 1) {
      throw new CryptoException("signed copy has no signing time");
    }
    Instant signingTime;
    try {
      signingTime =
          Time.getInstance(timeAttribute.getAttrValues().getObjectAt(0)).getDate().toInstant();
    } catch (Exception e) {
      throw new CryptoException("signed copy has a malformed signing time");
    }
    boolean valid;
    try {
      valid =
          signer.verify(
              new JcaSimpleSignerInfoVerifierBuilder().setProvider(Bc.PROVIDER).build(trustedHub));
    } catch (CMSVerifierCertificateNotValidException e) {
      throw new CryptoException(
          "hub certificate was not valid at the copy's signing time " + signingTime);
    } catch (Exception e) {
      throw new CryptoException("hub signature on the copy does not verify");
    }
    if (!valid) {
      throw new CryptoException("hub signature on the copy does not verify");
    }
    CMSProcessable content = signedData.getSignedContent();
    if (content == null || !(content.getContent() instanceof byte[] bytes)) {
      throw new CryptoException("signed copy carries no content");
    }
    return new Opened(bytes, signingTime);
  }

  private static X509CertificateHolder holder(X509Certificate cert, String which)
      throws CryptoException {
    try {
      return new X509CertificateHolder(cert.getEncoded());
    } catch (Exception e) {
      throw new CryptoException(which + " certificate cannot be encoded");
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
